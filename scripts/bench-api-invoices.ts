/**
 * Import benchmark for the integration API: serves the app in this process on loopback against
 * a real PostgreSQL, creates an API token with the staff tool, and PUTs N invoices (two lines
 * each, spread over 100 organisations) through /api/v1/invoices/{number} with fixed
 * concurrency, as an ERP would. Prints the rate, latency percentiles and what the database holds.
 *
 *   npx tsx scripts/bench-api-invoices.ts                      # 100,000 invoices, embedded PostgreSQL
 *   BENCH_INVOICES=5000 BENCH_CONCURRENCY=8 npx tsx scripts/bench-api-invoices.ts
 *   DATABASE_URL=... npx tsx scripts/bench-api-invoices.ts     # an existing (migrated here) database
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
import { systemClock } from '../src/clock.js';
import { setLogLevel } from '../src/log.js';
import { runCli } from '../src/cli/program.js';

const COUNT = Number(process.env.BENCH_INVOICES ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const FIRST = 5_000_000;

async function main() {
  setLogLevel('error');
  let dir: string | undefined;
  let url = process.env.DATABASE_URL;
  let stopPg = async () => {};
  if (!url) {
    dir = mkdtempSync(path.join(tmpdir(), 'pim-bench-api-'));
    const pg = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: 56000 + Math.floor(Math.random() * 1000), persistent: false });
    url = pg.url('postgres');
    stopPg = () => pg.stop();
  }
  await migrate(url);
  const db = openDb(url, 20);
  const orgs = await db.prisma.organization.createManyAndReturn({ data: Array.from({ length: 100 }, (_, i) => ({ name: `Bench organisatie ${i + 1}` })), select: { id: true } });
  const out: string[] = [];
  await runCli(['api-token:create', '--name', 'bench ERP', '--scopes', 'invoices:write'], { prisma: db.prisma, out: (l) => out.push(l), err: console.error, now: () => new Date(), baseUrl: '' });
  const token = /: (pim_\S+)/.exec(out[1] ?? '')![1]!;
  const config = loadConfig({ NODE_ENV: 'production', BASE_URL: 'http://127.0.0.1', SESSION_SECRET: randomBytes(32).toString('hex'), TWO_FACTOR_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'error', API_RATE_LIMIT: '1000000', SUPPLIER_KVK: '87654321', SUPPLIER_VAT_ID: 'NL876543210B01', SUPPLIER_IBAN: 'NL91ABNA0417164300', SUPPLIER_BIC: 'ABNANL2A', SUPPLIER_ACCOUNT_HOLDER: 'Benchmark B.V.' });
  const app = createApp({ config, prisma: db.prisma, pool: db.pool, clock: systemClock, sessionSecret: config.sessionSecret! });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  console.log(`PIM API import benchmark: ${COUNT} invoices (2 lines each) by PUT, concurrency ${CONCURRENCY}, Node ${process.version}`);
  const times: number[] = [];
  const failures = new Map<number, number>();
  let next = 0;
  let lastReport = Date.now();
  const start = performance.now();
  const worker = async () => {
    while (next < COUNT) {
      const i = next++;
      const body = JSON.stringify({
        organizationId: orgs[i % orgs.length]!.id,
        title: `Abonnement ${i}`,
        date: '2026-06-30',
        lines: [
          { description: 'Licentie', quantity: '1', unitPrice: '49.95', vatRate: '21' },
          { description: 'Support uren', quantity: String(1 + (i % 5)), unitPrice: '75.00', vatRate: '21' },
        ],
      });
      const t = performance.now();
      const status = await put(port, agent, `/api/v1/invoices/${FIRST + i}`, token, body);
      times.push(performance.now() - t);
      if (status !== 201) failures.set(status, (failures.get(status) ?? 0) + 1);
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        console.log(`  ${times.length} done, ${(times.length / ((performance.now() - start) / 1000)).toFixed(0)} invoices/s so far`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  times.sort((a, b) => a - b);
  const pct = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  const stored = await db.prisma.invoice.count({ where: { number: { gte: FIRST } } });
  const lines = await db.prisma.invoiceLine.count();
  console.log(`${times.length} requests in ${seconds.toFixed(1)} s: ${(times.length / seconds).toFixed(0)} invoices/s   p50 ${pct(0.5).toFixed(1)} ms   p95 ${pct(0.95).toFixed(1)} ms   p99 ${pct(0.99).toFixed(1)} ms`);
  console.log(`not 201: ${failures.size ? [...failures].map(([s, n]) => `${n}× ${s}`).join(', ') : 'none'}; stored: ${stored} invoices, ${lines} lines`);
  agent.destroy();
  server.close();
  await db.close();
  await stopPg();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

function put(port: number, agent: http.Agent, p: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'PUT', path: p, agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
