import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDb } from '../support/db.js';
import { httpRequest, startChildServer, type ChildServer } from '../support/child-server.js';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';

const SIZE = 24 * 1024 * 1024; // more than loopback buffers hold, so an unread download stays in flight
let db: { url: string; drop(): Promise<void> };
let documentId: number;

beforeAll(async () => {
  db = await createEmptyDb();
  // A first start migrates and loads the demo; then a large document for everyone.
  const first = startChildServer(db.url);
  await first.ready;
  first.proc.kill('SIGTERM');
  await first.exited;
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  // Its file in the PostgreSQL file storage, in the store's 256 kB chunks.
  const key = randomUUID();
  await c.query(
    `INSERT INTO stored_file_chunks (key, seq, data)
     SELECT $1, s, substring($2::bytea FROM s * 262144 + 1 FOR 262144) FROM generate_series(0, $3::int - 1) AS s`,
    [key, Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(SIZE - 9, 0x20)]), SIZE / 262144],
  );
  const { rows } = await c.query(
    `INSERT INTO documents (kind, file_name, content_type, size, storage_key, document_date)
     VALUES ('PRODUCT_INFO', 'groot.pdf', 'application/pdf', $1, $2, '2026-01-01') RETURNING id`,
    [SIZE, key],
  );
  documentId = rows[0].id;
  await c.end();
}, 120_000);
afterAll(() => db.drop());

/** Logs the demo's main contact in; returns the session cookie. */
async function logInDemo(port: number): Promise<string> {
  const page = await httpRequest(port, '/login');
  const cookie = String(page.headers['set-cookie']).split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body.toString())![1]!;
  const res = await httpRequest(port, '/login', {
    method: 'POST',
    headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username: 'j.jansen@vtel.nl', password: DEMO_PASSWORD }).toString(),
  });
  expect(res.status).toBe(302);
  return res.headers['set-cookie']!.find((c) => c.startsWith('pim.sid='))!.split(';')[0]!;
}

/** Records named events in the order they happen. */
function recorder() {
  const events: string[] = [];
  return { events, mark: (name: string) => events.push(name) };
}

const socketOf = (agent: http.Agent): Socket => Object.values(agent.freeSockets).flat()[0] as Socket;

describe('SIGTERM', () => {
  let server: ChildServer;
  let port: number;

  it('closes an idle keep-alive connection and exits without waiting for it; readiness is 503 first', async () => {
    server = startChildServer(db.url, {
      DEMO_SEED: 'false',
      SHUTDOWN_DELAY_SECONDS: '1',
      SHUTDOWN_TIMEOUT_SECONDS: '60',
    });
    port = await server.ready;
    const { events, mark } = recorder();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await httpRequest(port, '/login', { agent })).status).toBe(200);
    const socket = socketOf(agent);
    expect(socket).toBeTruthy();
    socket.on('close', () => mark('idle connection closed'));
    void server.exited.then(() => mark('exit'));

    server.proc.kill('SIGTERM');
    // During the delay the listener still accepts: a load balancer's probe sees 503.
    for (let i = 0; i < 50; i++) {
      const ready = await httpRequest(port, '/readyz');
      if (ready.status === 503) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    mark('readiness 503');
    expect(await server.exited).toBe(0);
    await new Promise((r) => setImmediate(r));
    // The 60-second deadline never came into it: the test would have timed out first.
    expect(events).toEqual(['readiness 503', 'idle connection closed', 'exit']);
    agent.destroy();
  }, 45_000);

  it('lets a running download finish, then closes its keep-alive connection at once and exits', async () => {
    server = startChildServer(db.url, { DEMO_SEED: 'false', SHUTDOWN_TIMEOUT_SECONDS: '60' });
    port = await server.ready;
    const cookie = await logInDemo(port);
    const { events, mark } = recorder();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let body!: http.IncomingMessage;
    const download = httpRequest(port, `/documents/${documentId}`, {
      agent,
      headers: { Cookie: cookie },
      onResponse: (res) => (body = res).pause(),
    });
    while (!body) await new Promise((r) => setTimeout(r, 10));
    body.socket.on('close', () => mark('connection closed'));
    void server.exited.then(() => mark('exit'));

    server.proc.kill('SIGTERM');
    // The server has stopped listening: the drain has begun while the download waits.
    for (let i = 0; i < 200; i++) {
      const refused = await httpRequest(port, '/healthz').then(
        () => false,
        () => true,
      );
      if (refused) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    mark('listener closed');
    body.resume();
    const got = await download;
    mark('download complete');
    expect(got.status).toBe(200);
    if (!got.complete) console.log(events, got.body.length, server.output());
    expect(got.complete).toBe(true);
    expect(got.body.length).toBe(SIZE);
    // The keep-alive connection must close as soon as it is idle, not at the deadline (60 s)
    // nor at a force-close timer: give it five seconds, far more than it needs.
    const patience = setTimeout(() => mark('still open after 5 s'), 5_000);
    await Promise.race([server.exited, new Promise((r) => setTimeout(r, 5_500))]);
    clearTimeout(patience);
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['listener closed', 'download complete', 'connection closed', 'exit']);
    expect(await server.exited).toBe(0);
    agent.destroy();
  }, 60_000);

  it('cuts only a download still running at the deadline', async () => {
    server = startChildServer(db.url, { DEMO_SEED: 'false', SHUTDOWN_TIMEOUT_SECONDS: '2' });
    port = await server.ready;
    const cookie = await logInDemo(port);
    const { events, mark } = recorder();
    let body!: http.IncomingMessage;
    const download = httpRequest(port, `/documents/${documentId}`, {
      headers: { Cookie: cookie },
      onResponse: (res) => (body = res).pause(),
    });
    while (!body) await new Promise((r) => setTimeout(r, 10));
    void server.exited.then(() => mark('exit'));
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    body.resume();
    const got = await download;
    mark('download ended');
    expect(got.status).toBe(200);
    expect(got.complete).toBe(false);
    expect(got.body.length).toBeLessThan(SIZE);
    expect(events).toEqual(['exit', 'download ended']);
    expect(server.output()).toContain('responses still running after 2000 ms are cut');
  }, 60_000);
});
