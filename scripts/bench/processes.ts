import { randomBytes } from 'node:crypto';
/**
 * The benchmark's child processes: the portal as production starts it, the render-limit
 * server, and the load generator. Every child is tracked and ended when the benchmark ends,
 * however it ends.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const children = new Set<ChildProcess>();

/** Ends every child still running (SIGKILL: used on the way out after an error or Ctrl-C). */
export function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** A started server: its process id (for RSS), the port it listens on, and a graceful stop. */
export interface Server {
  pid: number;
  /** The process started, when it is not the one serving (run-built.mjs relaunching node with the memory settings). */
  launcherPid?: number;
  port: number;
  output(): string;
  stop(): Promise<number | null>;
}

function startServer(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs: number): Promise<Server> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise<Server>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args.join(' ')} did not start in ${timeoutMs / 1000} s:\n${out}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = ready.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        pid: child.pid!,
        port: Number(m[1]),
        output: () => out,
        stop: async () => {
          child.kill('SIGTERM');
          const code = await exited;
          children.delete(child);
          return code;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      children.delete(child);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

/**
 * The portal exactly as `npm start` runs it (scripts/run-built.mjs: the built JavaScript in
 * dist/), in production mode, on a free loopback port; migrates and loads the demo data
 * into an empty database itself. Further variables in `env` (API_RATE_LIMIT, DEMO_SEED) override.
 */
export async function startPortal(
  env: { DATABASE_URL: string; DATA_DIR: string; SESSION_SECRET: string } & Record<string, string>,
  cpuProfDir?: string,
): Promise<Server> {
  // --cpu-prof writes a .cpuprofile (Chrome DevTools, speedscope) when the portal stops gracefully.
  const profile = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const started = await startServer(
    [...profile, 'scripts/run-built.mjs', 'server'],
    {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      // Plain http on loopback: the portal warns that cookies are
      // not Secure, which is what lets the load generator send them.
      BASE_URL: 'http://127.0.0.1',
      LOG_LEVEL: 'warn',
      DEMO_SEED: 'true',
      // Production requires the supplier's details on invoices; the benchmark's are examples.
      SUPPLIER_KVK: '87654321',
      SUPPLIER_VAT_ID: 'NL876543210B01',
      SUPPLIER_IBAN: 'NL91ABNA0417164300',
      SUPPLIER_BIC: 'ABNANL2A',
      SUPPLIER_ACCOUNT_HOLDER: 'Benchmark B.V.',
      // Production requires the key that seals authenticator-app secrets; the benchmark's own.
      TWO_FACTOR_KEY: randomBytes(32).toString('hex'),
      ...env,
    },
    /listening on 127\.0\.0\.1:(\d+)/,
    600_000,
  );
  // RSS and CPU are the serving process's: the relaunched child when there is one.
  const pid = relaunchedChild(started.pid);
  return pid === undefined ? started : { ...started, pid, launcherPid: started.pid };
}

/** The child of `pid` running scripts/run-built.mjs (relaunched with the memory settings), if any. */
function relaunchedChild(pid: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('run-built.mjs')) return Number(name);
    } catch {
      // ended between the listing and the read
    }
  }
  return undefined;
}

/** The no-database render limit (scripts/bench/render-limit/server.mjs) in production mode. */
export function startRenderLimit(): Promise<Server> {
  return startServer(
    ['scripts/bench/render-limit/server.mjs'],
    { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', PORT: '0' },
    /render limit listening on (\d+)/,
    30_000,
  );
}

/** What the load generator measured for one page. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Requests answered in the warm-up and the measured time together: what the CPU counters saw. */
  allRequests: number;
  non2xx: number;
  errors: number;
}

/**
 * Runs autocannon's CLI as its own process against one loopback URL for a fixed time (plus
 * a warm-up it does not count) and reads its JSON report.
 */
export async function runLoad(
  url: string,
  opts: { connections: number; duration: number; warmup: number; cookie?: string },
): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`loopback only: ${url}`);
  const args = [
    path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js'),
    '--json',
    '--no-progress',
    '-c',
    String(opts.connections),
    '-d',
    String(opts.duration),
    '-t',
    '10',
  ];
  if (opts.warmup > 0) args.push('--warmup', '[', '-c', String(opts.connections), '-d', String(opts.warmup), ']');
  if (opts.cookie) args.push('-H', `cookie=${opts.cookie}`);
  args.push(url);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  // Bounded: autocannon stops itself after warm-up + duration; this is the backstop.
  const guard = setTimeout(() => child.kill('SIGKILL'), (opts.warmup + opts.duration + 60) * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(guard);
  children.delete(child);
  if (code !== 0) throw new Error(`autocannon exited with ${code}: ${err}`);
  // With a warm-up autocannon prints two reports, one a line: the warm-up's, then the measured one.
  const reports = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { requests: { total: number } });
  const r = reports.at(-1) as {
    requests: { total: number };
    duration: number;
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return {
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    allRequests: reports.reduce((n, x) => n + x.requests.total, 0),
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/** The resident set size of a process now, in MB (VmRSS), or its peak so far (VmHWM). */
export function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Samples a process's RSS every 100 ms until stopped; returns the highest sample in MB. */
export function sampleRss(pid: number): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // the process ended; the failed run reports it
    }
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid));
    },
  };
}

const TICK_MS = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
  } catch {
    return 10;
  }
})();

/** CPU time a process has used (user + system), and that of its children it has waited for, in ms. */
function procCpuMs(pid: number | 'self', withChildren: boolean): number {
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const at = (n: number) => Number(f[n - 3]);
  return (at(14) + at(15) + (withChildren ? at(16) + at(17) : 0)) * TICK_MS;
}

/** CPU ms of one process (the portal, the render limit): its own threads, GC and libuv included. */
export function cpuMs(pid: number): number {
  return procCpuMs(pid, false);
}

/**
 * CPU ms of a PostgreSQL instance: the postmaster with every backend and worker it has
 * reaped (cutime, cstime) plus every one still running (its direct children).
 */
export function treeCpuMs(rootPid: number): number {
  let total = procCpuMs(rootPid, true);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === rootPid) total += procCpuMs(Number(name), true);
    } catch {
      // ended between the listing and the read: its time is now in the postmaster's cutime
    }
  }
  return total;
}

/** CPU ms of the benchmark's ended children (the load generators it has waited for). */
export function reapedChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[16 - 3]) + Number(f[17 - 3])) * TICK_MS;
}
