/**
 * `npm run bench`: the portal under load as a user would measure it. Three processes next to
 * each other on loopback: the portal started the way production starts it (the built
 * JavaScript in dist/, NODE_ENV=production) on its own PostgreSQL, a no-database Express +
 * Nunjucks server rendering a 50-row table in a layout (the render limit of this stack), and
 * autocannon as the load generator. Logs in as the demo main contact through the real login
 * form, loads every logged-in list page for a fixed time each, and prints req/s, p50, p99, the
 * ratio to the render limit and the portal's peak RSS per page. With `--scale N` a second
 * portal runs on a second database holding N times the scale-1 data set
 * (scripts/bench/scale-data.ts); each page is loaded on both in turn, and the second table adds
 * each page's p50 relative to its p50 on the demo data.
 *
 *   npm run bench                                       demo data, 16 connections, 10 s per page
 *   npm run bench -- --scale 10                         and a second portal on 2,000 organisations,
 *                                                       200,000 contacts, ...
 *   npm run bench -- --duration 5 --connections 32 --warmup 1 --pages /,/tickets
 *   DATABASE_URL=postgresql://u:p@host/db npm run bench  a server where the user may create databases:
 *                                                       the benchmark works in a database of its own and drops it
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DEMO_LOGIN, DEMO_PASSWORD } from '../src/demo/seed.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.js';
import { countRows, loadScaleData, PER_SCALE } from './bench/scale-data.js';
import { checkPage, logIn, PAGES, table, type BenchPage, type Row } from './bench/pages.js';
import { LADDER } from '../src/http/ladder.js';
import {
  cpuMs,
  killAll,
  reapedChildrenCpuMs,
  rssMb,
  runLoad,
  sampleRss,
  startPortal,
  startRenderLimit,
  treeCpuMs,
  type LoadResult,
  type Server,
} from './bench/processes.js';

const usageError = (message: string): never => {
  console.error(`${message} (npm run bench -- --help)`);
  process.exit(2);
};
const flags = (() => {
  try {
    return parseArgs({
      options: {
        duration: { type: 'string', default: '10' },
        connections: { type: 'string', default: '16' },
        warmup: { type: 'string', default: '2' },
        scale: { type: 'string' },
        pages: { type: 'string' },
        'cpu-prof': { type: 'string' },
        ladder: { type: 'boolean', default: false },
        rounds: { type: 'string', default: '1' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (e) {
    return usageError(e instanceof Error ? e.message : String(e));
  }
})();
if (flags.help) {
  console.log(`usage: npm run bench -- [--duration SEC=10] [--connections N=16] [--warmup SEC=2] [--scale N] [--pages /,/contacts,...] [--rounds N=1] [--ladder]
  --cpu-prof DIR   write the portal's CPU profile (.cpuprofile) into DIR when it stops
  --rounds N  load every page N times in turn and print each figure's median (a busy machine)
  --ladder    the ladder instead of the list pages: the render limit's page served by the portal, plus one layer per rung
  --scale N   after the demo data, load N x (${Object.entries(PER_SCALE)
    .map(([k, v]) => `${v.toLocaleString('en')} ${k}`)
    .join(', ')}) and measure again
  DATABASE_URL: a PostgreSQL server where the user may create databases (default: an embedded one in a temporary folder)`);
  process.exit(0);
}
const positive = (name: string, v: string | undefined, max: number) => {
  const n = Number(v);
  if (!(n > 0 && n <= max)) usageError(`--${name}: a number above 0 and at most ${max}`);
  return n;
};
const duration = positive('duration', flags.duration, 600);
const connections = positive('connections', flags.connections, 1024);
const warmup = flags.warmup === '0' ? 0 : positive('warmup', flags.warmup, 60);
const rounds = Math.round(positive('rounds', flags.rounds, 20));
const scale = flags.scale === undefined ? undefined : positive('scale', flags.scale, 100);
const ladder = flags.ladder;
const known = ladder ? [...LADDER] : PAGES;
const pages: BenchPage[] = flags.pages
  ? flags.pages.split(',').map((p) => known.find((x) => x.path === p) ?? { label: p, path: p })
  : known;

const log = (line: string) => console.log(line);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Builds dist/ when it is not the build of the current sources, so no page load waits for tsc. */
function ensureBuilt(): void {
  if (spawnSync(process.execPath, ['scripts/build.mjs', '--check']).status === 0) return;
  if (spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' }).status !== 0)
    throw new Error('the build failed');
}

/** A running portal on one data set, logged in as the demo main contact. */
interface Target {
  name: string;
  /** The portal's database, whose statements pg_stat_statements counts. */
  db: string;
  portal: Server;
  base: string;
  cookie: string;
  sizes: Map<string, number>;
  rows: Row[];
}

async function target(name: string, db: string, portal: Server): Promise<Target> {
  const base = `http://127.0.0.1:${portal.port}`;
  const cookie = await logIn(base, DEMO_LOGIN, DEMO_PASSWORD);
  const sizes = new Map<string, number>();
  for (const p of pages) sizes.set(p.path, await checkPage(base, p.path, cookie));
  return { name, db, portal, base, cookie, sizes, rows: [] };
}

/**
 * The render limit, then each page on every portal in turn (demo, then scale: the pair is
 * measured minutes apart at most, so the machine's drifting load hardly enters their
 * ratio), then the limit again. Each page's RSS is its own portal's peak during its run.
 */
async function measure(targets: Target[], limit: Server, counters: Counters): Promise<Row> {
  const limitUrl = `http://127.0.0.1:${limit.port}/`;
  /** One load, with the CPU each process spent and the statements the database ran, per answered request. */
  const load = async (url: string, server: Server, db: string | undefined, cookie?: string): Promise<Measured> => {
    const before = { ...(await counters.read(db)), server: cpuMs(server.pid) };
    const r = await runLoad(url, { connections, duration, warmup, cookie });
    const after = { ...(await counters.read(db)), server: cpuMs(server.pid) };
    const per = (k: keyof typeof before) => (after[k] - before[k]) / Math.max(r.allRequests, 1);
    return { ...r, serverMs: per('server'), pgMs: per('pg'), genMs: per('gen'), statements: per('statements') };
  };
  const cpuLine = (r: Measured) =>
    `CPU ms/request: server ${r.serverMs.toFixed(2)}, PostgreSQL ${r.pgMs.toFixed(2)}, load generator ${r.genMs.toFixed(2)}; ${r.statements.toFixed(1)} statements`;
  log(
    `\n## measuring: load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const before = await load(limitUrl, limit, undefined);
  log(`  render limit: ${before.rps.toFixed(0)} req/s, p50 ${before.p50} ms, p99 ${before.p99} ms; ${cpuLine(before)}`);
  const runs = new Map<Target, Row[][]>(targets.map((t) => [t, pages.map(() => [])]));
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) log(`  round ${round} of ${rounds}`);
    for (const [i, p] of pages.entries()) {
      for (const t of targets) {
        const rss = sampleRss(t.portal.pid);
        const r = await load(`${t.base}${p.path}`, t.portal, t.db, t.cookie);
        runs.get(t)![i]!.push({ ...p, ...r, rssMb: rss.stop(), bytes: t.sizes.get(p.path)! });
        const bad = r.non2xx || r.errors ? `, ${r.non2xx} non-2xx, ${r.errors} errors` : '';
        log(
          `  ${t.name}, ${p.label}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms${bad}; ${cpuLine(r)}`,
        );
      }
    }
  }
  // Over several rounds each figure is its median (RSS its highest): one disturbed run does not move it.
  for (const t of targets) t.rows = runs.get(t)!.map(medianRow);
  // The machine's load drifts (other work on it): the ratio is taken against the mean of the
  // limit before and after the pages, and both are printed.
  const after = await load(limitUrl, limit, undefined);
  log(
    `  render limit again: ${after.rps.toFixed(0)} req/s, p50 ${after.p50} ms, p99 ${after.p99} ms; ${cpuLine(after)}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const mean = (a: number, b: number) => (a + b) / 2;
  return {
    label: 'render limit (no database)',
    path: `(50-row table in a layout; ${before.rps.toFixed(0)} req/s before, ${after.rps.toFixed(0)} after the pages)`,
    rps: mean(before.rps, after.rps),
    p50: mean(before.p50, after.p50),
    p99: mean(before.p99, after.p99),
    requests: before.requests + after.requests,
    allRequests: before.allRequests + after.allRequests,
    serverMs: mean(before.serverMs, after.serverMs),
    pgMs: NaN,
    genMs: mean(before.genMs, after.genMs),
    statements: NaN,
    non2xx: before.non2xx + after.non2xx,
    errors: before.errors + after.errors,
    rssMb: NaN,
    bytes: 0,
  };
}

/** The median of each figure over a page's rounds; the highest RSS; errors summed. */
function medianRow(rows: Row[]): Row {
  const median = (k: keyof Row) => {
    const v = rows.map((r) => r[k] as number).sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  };
  const sum = (k: keyof Row) => rows.reduce((n, r) => n + (r[k] as number), 0);
  return {
    ...rows[0]!,
    rps: median('rps'),
    p50: median('p50'),
    p99: median('p99'),
    serverMs: median('serverMs'),
    pgMs: median('pgMs'),
    genMs: median('genMs'),
    statements: median('statements'),
    requests: sum('requests'),
    allRequests: sum('allRequests'),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    rssMb: Math.max(...rows.map((r) => r.rssMb)),
  };
}

/** A load's result with what it cost each process, per answered request (warm-up included). */
type Measured = LoadResult & { serverMs: number; pgMs: number; genMs: number; statements: number };

/** Where the CPU and statement counts come from: PostgreSQL's processes and pg_stat_statements, when reachable. */
interface Counters {
  read(db: string | undefined): Promise<{ pg: number; gen: number; statements: number }>;
}

/**
 * The counters: the load generators' CPU from this process's reaped children; PostgreSQL's
 * CPU from its postmaster and backends (embedded server only: another server's processes are
 * not ours to read); statements from pg_stat_statements (every call of every statement in the
 * portal's database, BEGIN and COMMIT included), NaN when the extension is not loaded.
 */
async function counters(admin: pg.Client, pgPid: number | undefined): Promise<Counters> {
  let statements = false;
  try {
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await admin.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
    statements = true;
  } catch (e) {
    log(`pg_stat_statements is not loaded, no statement counts: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    async read(db) {
      let n = NaN;
      if (statements && db) {
        const { rows } = await admin.query<{ n: number }>(
          `SELECT coalesce(sum(calls), 0)::float8 AS n FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1`,
          [db],
        );
        n = rows[0]!.n;
      }
      return { pg: pgPid ? treeCpuMs(pgPid) : NaN, gen: reapedChildrenCpuMs(), statements: n };
    },
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  log(
    `PIM benchmark ${new Date().toISOString().slice(0, 10)} at ${spawnSync('git', ['rev-parse', '--short', 'HEAD']).stdout?.toString().trim() || '?'}: ${connections} connections, ${duration} s per page after ${warmup} s warm-up${rounds > 1 ? `, ${rounds} rounds` : ''}; Node ${process.version}, ${cpus().length} cores`,
  );
  ensureBuilt();

  const dir = mkdtempSync(path.join(tmpdir(), 'pim-bench-'));
  let embedded: EmbeddedServer | undefined;
  let admin = process.env.DATABASE_URL;
  const stamp = Date.now();
  const databases: string[] = [];
  let adminClient: pg.Client | undefined;
  const running: Server[] = [];
  const secret = randomBytes(32).toString('hex');
  try {
    if (!admin) {
      embedded = await startEmbeddedPostgres({
        dir: path.join(dir, 'pg'),
        port: 56000 + Math.floor(Math.random() * 2000),
        persistent: false,
        // Statements per request (pg_stat_statements); the extension needs loading at start.
        settings: ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track_utility=on'],
      });
      admin = embedded.url('postgres');
    }
    adminClient = new pg.Client({ connectionString: admin });
    await adminClient.connect();
    /**
     * A database of the benchmark's own, and a portal on it that migrates and loads the demo data as production does.
     */
    const portalOn = async (name: string) => {
      const db = `pim_bench_${stamp}_${name}`;
      if (!databases.includes(db)) {
        await adminClient!.query(`CREATE DATABASE ${db}`);
        databases.push(db);
      }
      const url = new URL(admin!);
      url.pathname = `/${db}`;
      const t = Date.now();
      const portal = await startPortal(
        {
          DATABASE_URL: url.toString(),
          DATA_DIR: path.join(dir, name),
          SESSION_SECRET: secret,
          ...(ladder ? { BENCH_LADDER: 'true' } : {}),
        },
        flags['cpu-prof'] && path.resolve(flags['cpu-prof']),
      );
      running.push(portal);
      log(
        `${name}: portal (node scripts/run-built.mjs server, pid ${portal.pid}, production) listening after ${seconds(Date.now() - t)}`,
      );
      return { portal, url: url.toString(), db };
    };
    const stop = async (s: Server) => {
      running.splice(running.indexOf(s), 1);
      await s.stop();
    };

    const limit = await startRenderLimit();
    running.push(limit);
    const demo = await portalOn('demo');
    const targets = [await target('demo', demo.db, demo.portal)];

    let loaded = '';
    if (scale) {
      // The scale data set goes into a database of its own, loaded while its portal is down.
      const big = await portalOn('scale');
      await stop(big.portal);
      log(`\n## loading scale ${scale}`);
      const db = new pg.Client({ connectionString: big.url });
      await db.connect();
      const t = Date.now();
      await loadScaleData(db, scale, log);
      const counts = await countRows(db);
      await db.end();
      const list = (o: Record<string, number>) =>
        Object.entries(o)
          .map(([k, v]) => `${v.toLocaleString('en')} ${k}`)
          .join(', ');
      loaded = `Scale ${scale} loaded in ${seconds(Date.now() - t)}: ${list(counts.all)}. The demo main contact's organisation: ${list(counts.demo)}.`;
      log(loaded);
      const again = await portalOn('scale');
      targets.push(await target(`scale ${scale}`, again.db, again.portal));
    }

    const limitRow = await measure(targets, limit, await counters(adminClient, embedded?.pid));
    const hwm = targets
      .map((t) => {
        const launcher = t.portal.launcherPid && rssMb(t.portal.launcherPid, 'VmHWM');
        return `${t.name} ${rssMb(t.portal.pid, 'VmHWM').toFixed(0)} MB${launcher ? ` (its launcher, which relaunched node with the memory settings: ${launcher.toFixed(0)} MB)` : ''}`;
      })
      .join(', ');

    log(`\n### Demo data (the manual's: 2 organisations, 8 contacts, 8 invoices, 4 tickets)\n`);
    log(table(targets[0]!.rows, limitRow, undefined, ladder));
    if (targets[1]) {
      log(`\n### Scale ${scale}\n\n${loaded}\n`);
      log(table(targets[1].rows, limitRow, new Map(targets[0]!.rows.map((r) => [r.path, r])), ladder));
    }
    log(`\nPortal peak RSS over the whole run (VmHWM): ${hwm}.`);
    log(
      `${connections} connections, ${duration} s per page after ${warmup} s warm-up; the benchmark took ${seconds(Date.now() - started)}.`,
    );
  } finally {
    for (const s of [...running]) await s.stop().catch(() => {});
    if (adminClient) {
      for (const db of databases) await adminClient.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => {});
      await adminClient.end();
    }
    if (embedded) await embedded.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  killAll();
  process.exit(1);
});
