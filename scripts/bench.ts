/**
 * Load benchmark: serves the app in this process on loopback against a real PostgreSQL with
 * the demo data, logs in as the demo main contact and fires a bounded number of requests at a
 * few pages with fixed concurrency. Prints requests/s and latency percentiles per page.
 *
 *   npm run bench                      # embedded PostgreSQL in a temporary folder
 *   DATABASE_URL=... npm run bench     # an existing database (migrated and seeded here)
 *   BENCH_REQUESTS=5000 BENCH_CONCURRENCY=16 BENCH_PATHS=/,/login npm run bench
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/client.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrator.js';
import { seedDemo, DEMO_PASSWORD } from '../src/db/demo.js';
import { systemClock } from '../src/clock.js';
import { setLogLevel } from '../src/log.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PATHS = (process.env.BENCH_PATHS ?? '/login,/').split(',');
const MAX_SECONDS = 60;

async function main() {
  setLogLevel('error');
  let dir: string | undefined;
  let url = process.env.DATABASE_URL;
  let stopPg = async () => {};
  if (!url) {
    dir = mkdtempSync(path.join(tmpdir(), 'pim-bench-'));
    const pg = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: 56000 + Math.floor(Math.random() * 1000), persistent: false });
    url = pg.url('postgres');
    stopPg = () => pg.stop();
  }
  await migrate(url);
  const db = openDb(url, 20);
  await seedDemo(db.prisma);
  const config = loadConfig({ NODE_ENV: 'production', BASE_URL: 'http://127.0.0.1', SESSION_SECRET: randomBytes(32).toString('hex'), TWO_FACTOR_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'error' });
  const app = createApp({ config, prisma: db.prisma, pool: db.pool, clock: systemClock, sessionSecret: config.sessionSecret! });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const cookie = await logIn(port, agent);

  console.log(`PIM benchmark: ${REQUESTS} requests per page, concurrency ${CONCURRENCY}, Node ${process.version}`);
  for (const p of PATHS) {
    const r = await run(port, agent, p, cookie);
    console.log(
      `${p.padEnd(24)} ${r.rps.toFixed(0).padStart(6)} req/s   p50 ${r.p50.toFixed(1)} ms   p95 ${r.p95.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms   non-200: ${r.bad}`,
    );
  }
  agent.destroy();
  server.close();
  await db.close();
  await stopPg();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

function request(port: number, agent: http.Agent, method: string, p: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function logIn(port: number, agent: http.Agent): Promise<string> {
  const page = await request(port, agent, 'GET', '/login', {});
  const anon = (page.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  const body = new URLSearchParams({ _csrf: csrf, username: 'j.jansen@vtel.nl', password: DEMO_PASSWORD }).toString();
  const res = await request(port, agent, 'POST', '/login', { cookie: anon, 'content-type': 'application/x-www-form-urlencoded' }, body);
  if (res.status !== 302) throw new Error(`login failed: ${res.status}`);
  return (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
}

async function run(port: number, agent: http.Agent, p: string, cookie: string) {
  const times: number[] = [];
  let bad = 0;
  let sent = 0;
  const deadline = Date.now() + MAX_SECONDS * 1000;
  const start = performance.now();
  const worker = async () => {
    while (sent < REQUESTS && Date.now() < deadline) {
      sent++;
      const t = performance.now();
      // The login page is measured as an anonymous visitor sees it.
      const res = await request(port, agent, 'GET', p, p === '/login' ? {} : { cookie });
      times.push(performance.now() - t);
      if (res.status !== 200) bad++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  times.sort((a, b) => a - b);
  const pct = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { rps: times.length / seconds, p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), bad };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
