/**
 * Import benchmark for the integration API: the portal started as production starts it (the
 * built JavaScript in dist/ through scripts/run-built.mjs, NODE_ENV=production, as
 * `npm run bench` does) on its own PostgreSQL, an API token made with the staff tool, and N
 * invoices (two lines each, spread over 100 organisations) PUT through
 * /api/v1/invoices/{number} at fixed concurrency from this process, as an ERP would. Prints
 * the rate, latency percentiles, the load average and what the database then holds.
 *
 *   npx tsx scripts/bench-api-invoices.ts                      # 100,000 invoices, embedded PostgreSQL
 *   BENCH_INVOICES=5000 BENCH_CONCURRENCY=8 npx tsx scripts/bench-api-invoices.ts
 *   DATABASE_URL=... npx tsx scripts/bench-api-invoices.ts     # a database of its own (the portal migrates it)
 */
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDb } from '../src/db/client.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { runCli } from '../src/cli/program.js';
import { killAll, startPortal, type Server } from './bench/processes.js';

const COUNT = Number(process.env.BENCH_INVOICES ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const FIRST = 5_000_000;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function main() {
  // dist/ must be the build of these sources: the portal below runs it.
  if (
    spawnSync(process.execPath, ['scripts/build.mjs', '--check']).status !== 0 &&
    spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' }).status !== 0
  ) {
    throw new Error('the build failed');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'pim-bench-api-'));
  let url = process.env.DATABASE_URL;
  let stopPg = async () => {};
  let portal: Server | undefined;
  const db = { current: undefined as ReturnType<typeof openDb> | undefined };
  try {
    if (!url) {
      const pg = await startEmbeddedPostgres({
        dir: path.join(dir, 'pg'),
        port: 56000 + Math.floor(Math.random() * 1000),
        persistent: false,
      });
      url = pg.url('postgres');
      stopPg = () => pg.stop();
    }
    const t = Date.now();
    // The portal migrates the empty database itself, as on a first start; no demo data.
    portal = await startPortal({
      DATABASE_URL: url,
      DATA_DIR: path.join(dir, 'data'),
      SESSION_SECRET: randomBytes(32).toString('hex'),
      API_RATE_LIMIT: '1000000',
      DEMO_SEED: 'false',
    });
    console.log(
      `portal (node scripts/run-built.mjs server, pid ${portal.pid}, production) listening after ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );
    db.current = openDb(url, 2);
    const prisma = db.current.prisma;
    const orgs = await prisma.organization.createManyAndReturn({
      data: Array.from({ length: 100 }, (_, i) => ({ name: `Bench organisatie ${i + 1}` })),
      select: { id: true },
    });
    const out: string[] = [];
    await runCli(['api-token:create', '--name', 'bench ERP', '--scopes', 'invoices:write'], {
      prisma,
      out: (l) => out.push(l),
      err: console.error,
      now: () => new Date(),
      baseUrl: '',
    });
    const token = /: (pim_\S+)/.exec(out[1] ?? '')![1]!;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

    console.log(
      `PIM API import benchmark: ${COUNT} invoices (2 lines each) by PUT, concurrency ${CONCURRENCY}, Node ${process.version}, ${cpus().length} cores, load average ${load()}`,
    );
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
        const t0 = performance.now();
        const status = await put(portal!.port, agent, `/api/v1/invoices/${FIRST + i}`, token, body);
        times.push(performance.now() - t0);
        if (status !== 201) failures.set(status, (failures.get(status) ?? 0) + 1);
        if (Date.now() - lastReport > 30_000) {
          lastReport = Date.now();
          console.log(
            `  ${times.length} done, ${(times.length / ((performance.now() - start) / 1000)).toFixed(0)} invoices/s so far, load average ${load()}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - start) / 1000;
    agent.destroy();
    times.sort((a, b) => a - b);
    const pct = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
    const stored = await prisma.invoice.count({ where: { number: { gte: FIRST } } });
    const lines = await prisma.invoiceLine.count({ where: { invoice: { number: { gte: FIRST } } } });
    console.log(
      `${times.length} requests in ${seconds.toFixed(1)} s: ${(times.length / seconds).toFixed(0)} invoices/s   p50 ${pct(0.5).toFixed(1)} ms   p95 ${pct(0.95).toFixed(1)} ms   p99 ${pct(0.99).toFixed(1)} ms`,
    );
    console.log(
      `not 201: ${failures.size ? [...failures].map(([s, n]) => `${n}× ${s}`).join(', ') : 'none'}; stored: ${stored} invoices, ${lines} lines; load average at the end ${load()}`,
    );
  } finally {
    await db.current?.close();
    await portal?.stop().catch(() => {});
    await stopPg().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

function put(port: number, agent: http.Agent, p: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path: p,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

main().catch((err: unknown) => {
  console.error(err);
  killAll();
  process.exit(1);
});
