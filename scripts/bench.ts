/**
 * `npm run bench`: the portal under load as a user would measure it. Three processes next to
 * each other on loopback: the portal started the way production starts it (the built
 * JavaScript in dist/, NODE_ENV=production) on its own PostgreSQL, a no-database Express +
 * Nunjucks server rendering a 50-row table in a layout (the render limit of this stack), and
 * autocannon as the load generator. Logs in as the demo main contact through the real login
 * form, loads every logged-in list page for a fixed time each, and prints req/s, p50, p99, the
 * ratio to the render limit and the portal's peak RSS per page. With `--scale N` it then loads
 * N times the scale-1 data set (scripts/bench/scale-data.ts), restarts the portal and prints
 * the same table with each page's p50 relative to the demo data's.
 *
 *   npm run bench                                       demo data, 16 connections, 10 s per page
 *   npm run bench -- --scale 10                         and then 2,000 organisations, 200,000 contacts, ...
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
import { DEMO_LOGIN, DEMO_PASSWORD } from '../src/db/demo.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.js';
import { countRows, loadScaleData, PER_SCALE } from './bench/scale-data.js';
import { checkPage, logIn, PAGES, table, type BenchPage, type Row } from './bench/pages.js';
import { killAll, rssMb, runLoad, sampleRss, startPortal, startRenderLimit, type Server } from './bench/processes.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '2' },
    scale: { type: 'string' },
    pages: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(`usage: npm run bench -- [--duration SEC=10] [--connections N=16] [--warmup SEC=2] [--scale N] [--pages /,/contacts,...]
  --scale N   after the demo data, load N x (${Object.entries(PER_SCALE).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ')}) and measure again
  DATABASE_URL: a PostgreSQL server where the user may create databases (default: an embedded one in a temporary folder)`);
  process.exit(0);
}
const positive = (name: string, v: string | undefined, max: number) => {
  const n = Number(v);
  if (!(n > 0 && n <= max)) throw new Error(`--${name}: a number above 0 and at most ${max}`);
  return n;
};
const duration = positive('duration', flags.duration, 600);
const connections = positive('connections', flags.connections, 1024);
const warmup = flags.warmup === '0' ? 0 : positive('warmup', flags.warmup, 60);
const scale = flags.scale === undefined ? undefined : positive('scale', flags.scale, 100);
const pages: BenchPage[] = flags.pages ? flags.pages.split(',').map((p) => PAGES.find((x) => x.path === p) ?? { label: p, path: p }) : PAGES;

const log = (line: string) => console.log(line);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Builds dist/ when it is not the build of the current sources, so no page load waits for tsc. */
function ensureBuilt(): void {
  if (spawnSync(process.execPath, ['scripts/build.mjs', '--check']).status === 0) return;
  if (spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' }).status !== 0) throw new Error('the build failed');
}

/** Measures the render limit, then every page as the logged-in demo main contact, on one running portal. */
async function measure(portal: Server, limit: Server, title: string): Promise<{ limit: Row; rows: Row[]; hwm: number }> {
  const base = `http://127.0.0.1:${portal.port}`;
  const limitUrl = `http://127.0.0.1:${limit.port}/`;
  const cookie = await logIn(base, DEMO_LOGIN, DEMO_PASSWORD);
  const sizes = new Map<string, number>();
  for (const p of pages) sizes.set(p.path, await checkPage(base, p.path, cookie));
  log(`\n## ${title}: load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const limitRow: Row = { label: 'render limit (no database)', path: '(Express + Nunjucks, 50 rows)', ...(await runLoad(limitUrl, { connections, duration, warmup })), rssMb: NaN, bytes: 0 };
  log(`  render limit: ${limitRow.rps.toFixed(0)} req/s`);
  const rows: Row[] = [];
  for (const p of pages) {
    const rss = sampleRss(portal.pid);
    const r = await runLoad(`${base}${p.path}`, { connections, duration, warmup, cookie });
    rows.push({ ...p, ...r, rssMb: rss.stop(), bytes: sizes.get(p.path)! });
    log(`  ${p.label}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms${r.non2xx || r.errors ? `, ${r.non2xx} non-2xx, ${r.errors} errors` : ''}`);
  }
  return { limit: limitRow, rows, hwm: rssMb(portal.pid, 'VmHWM') };
}

async function main(): Promise<void> {
  const started = Date.now();
  log(`PIM benchmark: ${connections} connections, ${duration} s per page after ${warmup} s warm-up; Node ${process.version}, ${cpus().length} cores`);
  ensureBuilt();

  const dir = mkdtempSync(path.join(tmpdir(), 'pim-bench-'));
  let embedded: EmbeddedServer | undefined;
  let admin = process.env.DATABASE_URL;
  const dbName = `pim_bench_${Date.now()}`;
  let adminClient: pg.Client | undefined;
  let limit: Server | undefined;
  let portal: Server | undefined;
  try {
    if (!admin) {
      embedded = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: 56000 + Math.floor(Math.random() * 2000), persistent: false });
      admin = embedded.url('postgres');
    }
    adminClient = new pg.Client({ connectionString: admin });
    await adminClient.connect();
    await adminClient.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(admin);
    url.pathname = `/${dbName}`;
    const env = { DATABASE_URL: url.toString(), DATA_DIR: path.join(dir, 'data'), SESSION_SECRET: randomBytes(32).toString('hex') };

    limit = await startRenderLimit();
    let t = Date.now();
    portal = await startPortal(env);
    log(`portal (node scripts/run-built.mjs server, pid ${portal.pid}) migrated, loaded the demo data and listens after ${seconds(Date.now() - t)}`);
    const demo = await measure(portal, limit, 'demo data');
    await portal.stop();
    portal = undefined;

    let big: Awaited<ReturnType<typeof measure>> | undefined;
    const db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    if (scale) {
      log(`\n## loading scale ${scale}`);
      t = Date.now();
      await loadScaleData(db, scale, log);
      const loadMs = Date.now() - t;
      const counts = await countRows(db);
      log(`loaded in ${seconds(loadMs)}: ${Object.entries(counts.all).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ')}`);
      log(`the demo main contact's organisation: ${Object.entries(counts.demo).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ')}`);
      t = Date.now();
      portal = await startPortal(env);
      log(`portal restarted after ${seconds(Date.now() - t)}`);
      big = await measure(portal, limit, `scale ${scale}`);
      await portal.stop();
      portal = undefined;
    }
    await db.end();

    log(`\n### Demo data (the manual's: 2 organisations, 8 contacts, 8 invoices, 4 tickets)\n`);
    log(table(demo.rows, demo.limit));
    log(`\nportal peak RSS over the whole run (VmHWM): ${demo.hwm.toFixed(0)} MB`);
    if (big) {
      log(`\n### Scale ${scale}\n`);
      log(table(big.rows, big.limit, new Map(demo.rows.map((r) => [r.path, r]))));
      log(`\nportal peak RSS over the whole run (VmHWM): ${big.hwm.toFixed(0)} MB`);
    }
    log(`\n${connections} connections, ${duration} s per page after ${warmup} s warm-up; benchmark took ${seconds(Date.now() - started)}`);
  } finally {
    if (portal) await portal.stop().catch(() => {});
    if (limit) await limit.stop().catch(() => {});
    if (adminClient) {
      await adminClient.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
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
