import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPLIER_ENV } from '../support/app.js';
import pg from 'pg';
import { createEmptyDb } from '../support/db.js';
import { readMigrations } from '../../src/db/migrator.js';

let db: { url: string; drop(): Promise<void> };

beforeAll(async () => {
  db = await createEmptyDb();
});
afterAll(() => db.drop());

/** The TypeScript entry point through tsx, as `npm run dev` runs it. */
const SOURCES = ['--import', 'tsx', 'src/server.ts'];

/** Starts the server as its own process, as a user would. */
function startServer(
  env: Record<string, string>,
  args = SOURCES,
): { proc: ChildProcess; output: () => string; ready: Promise<string> } {
  let out = '';
  const proc = spawn(process.execPath, args, {
    // A clean environment: vitest's own variables (BASE_URL=/ among them) must not leak in.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      DATABASE_URL: db.url,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on [\d.]+:(\d+)[\s\S]*Mail is /.exec(out);
      if (m) resolve(m[1]!);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  ready.catch(() => {}); // tests that expect a failed start await the exit instead
  return { proc, output: () => out, ready };
}

async function lisaId(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ id: number }>("SELECT id FROM contacts WHERE email = 'l.devries@vtel.nl'");
  await c.end();
  return rows[0]!.id;
}

/** A loopback port nothing listens on now. */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** The exit code, or the signal's name when a signal ended the process (so a failure says which). */
const exited = (proc: ChildProcess) =>
  new Promise<number | string | null>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal)));

describe('the server from its TypeScript sources (src/server.ts)', () => {
  it('migrates, loads the demo, prints the URL and the demo login, serves pages, and drains on SIGTERM', async () => {
    const s = startServer({ BASE_URL: 'http://localhost:3999' });
    const port = await s.ready;
    expect(s.output()).toContain('PIM is running at http://localhost:3999');
    expect(s.output()).toContain('Demo login: j.jansen@vtel.nl / welkom-bij-pim');
    const login = await fetch(`http://127.0.0.1:${port}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('Welkom');
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const exit = exited(s.proc);
    s.proc.kill('SIGTERM');
    expect(await exit, s.output()).toBe(0);
  });

  it('two instances starting at once on an empty database migrate once and load the demo once', async () => {
    const fresh = await createEmptyDb();
    const env = { DATABASE_URL: fresh.url };
    const [a, b] = [startServer(env), startServer(env)];
    await Promise.all([a.ready, b.ready]);
    const c = new pg.Client({ connectionString: fresh.url });
    await c.connect();
    const migrations = await c.query('SELECT migration_name FROM _prisma_migrations');
    const orgs = await c.query(
      "SELECT count(*)::int AS n FROM organizations WHERE name = 'Demo Pim (Persoonlijke Informatie Manager)'",
    );
    await c.end();
    expect(migrations.rowCount).toBe(readMigrations().length);
    expect(orgs.rows[0].n).toBe(1);
    // SIGHUP is what the portal gets when the terminal of `npm start` closes: it drains like SIGTERM.
    const exits = await Promise.all(
      (
        [
          [a, 'SIGTERM'],
          [b, 'SIGHUP'],
        ] as const
      ).map(([s, signal]) => {
        const exit = exited(s.proc);
        s.proc.kill(signal);
        return exit;
      }),
    );
    expect(exits, a.output() + b.output()).toEqual([0, 0]);
    await fresh.drop();
  });

  it('a second start keeps the data and does not load the demo twice', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query("UPDATE contacts SET first_name = 'Jantje' WHERE email = 'j.jansen@vtel.nl'");
    const s = startServer({});
    await s.ready;
    expect(s.output()).not.toContain('loaded the demo data');
    const { rows } = await c.query(
      "SELECT count(*)::int AS n, max(first_name) AS name FROM contacts WHERE email = 'j.jansen@vtel.nl'",
    );
    expect(rows[0]).toEqual({ n: 1, name: 'Jantje' });
    await c.end();
    const exit = exited(s.proc);
    s.proc.kill('SIGTERM');
    expect(await exit, s.output()).toBe(0);
  });

  it('refuses to start when an applied migration was changed, with a message naming it', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query('SELECT migration_name FROM _prisma_migrations ORDER BY migration_name LIMIT 1');
    await c.query("UPDATE _prisma_migrations SET checksum = repeat('0', 64) WHERE migration_name = $1", [
      rows[0].migration_name,
    ]);
    const s = startServer({});
    const code = await exited(s.proc);
    await c.query('UPDATE _prisma_migrations SET checksum = $2 WHERE migration_name = $1', [
      rows[0].migration_name,
      'x',
    ]);
    await c.end();
    expect(code).toBe(1);
    expect(s.output()).toContain(`Migration ${rows[0].migration_name} was changed after it was applied`);
  });

  // Two processes (the portal, then the staff tool), each starting tsx: slow on a busy machine.
  it(
    "the staff tool's mails link to the port the running portal listens on, not to port 3000",
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'pim-url-'));
      const fresh = await createEmptyDb();
      try {
        // npm start on a free port (PORT=0), no BASE_URL.
        const s = startServer({ DATA_DIR: dataDir, DATABASE_URL: fresh.url });
        const port = await s.ready;
        expect(s.output()).toContain(`PIM is running at http://localhost:${port} `);
        // The staff tool in another shell: same DATA_DIR and database, no PORT.
        const run = await promisify(execFile)(
          process.execPath,
          ['--import', 'tsx', 'src/cli/index.ts', 'contact:invite', String(await lisaId(fresh.url))],
          {
            env: {
              PATH: process.env.PATH,
              HOME: process.env.HOME,
              DATA_DIR: dataDir,
              DATABASE_URL: fresh.url,
              NODE_ENV: 'development',
            },
          },
        );
        expect(run.stdout).toContain('invitation queued for l.devries@vtel.nl');
        const c = new pg.Client({ connectionString: fresh.url });
        await c.connect();
        const { rows } = await c.query(
          "SELECT text FROM mail_outbox WHERE recipient = 'l.devries@vtel.nl' ORDER BY id DESC LIMIT 1",
        );
        await c.end();
        expect(rows[0].text).toContain(`http://localhost:${port}/password/reset/`);
        const exit = exited(s.proc);
        s.proc.kill('SIGTERM');
        expect(await exit, s.output()).toBe(0);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
        await fresh.drop();
      }
    },
  );

  it('a SIGTERM during the start (embedded PostgreSQL up, the portal not yet) ends it and stops that PostgreSQL too', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pim-boot-'));
    const port = await freePort();
    try {
      const s = startServer({ DATABASE_URL: '', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) });
      while (!s.output().includes('embedded PostgreSQL on port')) {
        if (s.proc.exitCode !== null) throw new Error(`ended before PostgreSQL was up: ${s.output()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const exit = exited(s.proc);
      s.proc.kill('SIGTERM');
      // Ended by its own hand (128 + 15), so its exit hook ran: no PostgreSQL keeps the port and the folder.
      expect(await exit, s.output()).toBe(143);
      let refused = false;
      for (let i = 0; i < 100 && !refused; i++) {
        refused = await new Promise<boolean>((resolve) => {
          const c = net.connect(port, '127.0.0.1');
          c.once('connect', () => (c.destroy(), resolve(false)));
          c.once('error', () => resolve(true));
        });
        if (!refused) await new Promise((r) => setTimeout(r, 100));
      }
      expect(refused).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses to start with a bad variable, naming it', async () => {
    const s = startServer({ SESSION_IDLE_MINUTES: 'soon' });
    expect(await exited(s.proc)).toBe(1);
    expect(s.output()).toMatch(/SESSION_IDLE_MINUTES/);
  });
});

describe('npm start: built JavaScript (dist/)', () => {
  const production = {
    NODE_ENV: 'production',
    BASE_URL: 'http://localhost:3999',
    SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
    TWO_FACTOR_KEY: 'ab'.repeat(32),
    ...SUPPLIER_ENV,
  };

  /** Asserts what a visitor of a fresh start sees: health, a rendered page, a static file, the migrated database. */
  async function servesFromDist(port: string, url: string) {
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    // views/ and locales/ found from dist/http and dist/i18n
    const login = await fetch(`http://127.0.0.1:${port}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('Welkom');
    // public/ found from dist/app.js
    const css = await fetch(`http://127.0.0.1:${port}/css/pim.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    // prisma/migrations found from dist/db
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rowCount } = await c.query('SELECT 1 FROM _prisma_migrations WHERE finished_at IS NOT NULL');
    await c.end();
    expect(rowCount).toBe(readMigrations().length);
  }

  it(
    '`npm start` builds dist/ when it is missing or stale, then serves from it in production mode and drains on SIGTERM',
    { timeout: 300_000 },
    async () => {
      // A build of other sources (as after a pull or an edit) must not be run: it is rebuilt.
      if (existsSync('dist')) writeFileSync('dist/.build-hash', 'built from other sources\n');
      const fresh = await createEmptyDb();
      const s = startServer({ ...production, DATABASE_URL: fresh.url }, ['scripts/run-built.mjs', 'server']);
      const port = await Promise.race([
        s.ready,
        new Promise<string>((_, reject) => setTimeout(() => reject(new Error(`no start: ${s.output()}`)), 280_000)),
      ]);
      expect(s.output()).toContain('Building dist/ from src/');
      expect(s.output()).toContain('PIM is running at http://localhost:3999');
      await servesFromDist(port, fresh.url);
      // The build it ran from is the build of the sources as they are now.
      expect(spawnSync(process.execPath, ['scripts/build.mjs', '--check']).status).toBe(0);
      const exit = exited(s.proc);
      s.proc.kill('SIGTERM');
      expect(await exit, s.output()).toBe(0);
      await fresh.drop();
    },
  );

  it(
    '`npm start` runs the portal with the memory settings (a relaunched node) that stops when its launcher is killed',
    { timeout: 300_000 },
    async () => {
      const fresh = await createEmptyDb();
      const s = startServer({ ...production, DATABASE_URL: fresh.url, PIM_HEAP_LIMIT_MB: '300' }, [
        'scripts/run-built.mjs',
        'server',
      ]);
      const port = await s.ready;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      // The serving process is the launcher's child, started with the heap limit and glibc's variables.
      const children = spawnSync('pgrep', ['-P', String(s.proc.pid)], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n');
      expect(children).toHaveLength(1);
      const child = children[0]!;
      expect(readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0')).toEqual(
        expect.arrayContaining(['--max-old-space-size=300', '--heap-growing-percent=50']),
      );
      const environ = readFileSync(`/proc/${child}/environ`, 'utf8').split('\0');
      expect(environ).toEqual(expect.arrayContaining(['MALLOC_ARENA_MAX=2', 'MALLOC_MMAP_THRESHOLD_=131072']));
      // A launcher killed outright leaves no portal behind: it drains and ends on its own.
      const exit = exited(s.proc);
      s.proc.kill('SIGKILL');
      await exit;
      const deadline = Date.now() + 30_000;
      while (existsSync(`/proc/${child}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(`/proc/${child}`)).toBe(false);
      await fresh.drop();
    },
  );

  it(
    "`npm start` ends with the shell's code for a crash of the portal (SIGABRT: 134), without a crash of its own",
    { timeout: 300_000 },
    async () => {
      const fresh = await createEmptyDb();
      const s = startServer({ ...production, DATABASE_URL: fresh.url }, ['scripts/run-built.mjs', 'server']);
      await s.ready;
      const child = spawnSync('pgrep', ['-P', String(s.proc.pid)], { encoding: 'utf8' }).stdout.trim();
      expect(child).toMatch(/^\d+$/);
      // What V8 does when the heap limit is reached: abort. The launcher must not dump a core of its own.
      const exit = exited(s.proc);
      process.kill(Number(child), 'SIGABRT');
      expect(await exit, s.output()).toBe(134);
      await fresh.drop();
    },
  );

  it(
    "dist/server.js runs on plain node without tsx (the Dockerfile's command) and finds views, locales, public and migrations; npm run pim runs from the same build",
    { timeout: 300_000 },
    async () => {
      // The test above leaves a current build; run alone, this one builds it first.
      if (spawnSync(process.execPath, ['scripts/build.mjs', '--check']).status !== 0) {
        expect(spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' }).status).toBe(0);
      }
      const fresh = await createEmptyDb();
      const s = startServer({ ...production, DATABASE_URL: fresh.url }, ['dist/server.js']);
      const port = await s.ready;
      await servesFromDist(port, fresh.url);
      const exit = exited(s.proc);
      s.proc.kill('SIGTERM');
      expect(await exit, s.output()).toBe(0);
      // `npm run pim` runs the staff tool from the same build, on the database the start seeded.
      const pim = spawnSync(process.execPath, ['scripts/run-built.mjs', 'cli', 'org:list'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: fresh.url },
        encoding: 'utf8',
      });
      expect(pim.stderr).toBe('');
      expect(pim.status).toBe(0);
      expect(pim.stdout).toContain('Demo Pim (Persoonlijke Informatie Manager) Dochter');
      await fresh.drop();
    },
  );
});
