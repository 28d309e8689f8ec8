import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { testApp } from '../support/app.js';
import { makeOrg, makePerson } from '../support/factories.js';
import { makeToken, runPim } from '../support/api.js';
import { startReceiver, type Received } from '../support/receiver.js';
import { deliverDueWebhooks } from '../../src/webhooks/worker.js';
import { verifyWebhook } from '../../src/webhooks/signature.js';

let db: TestDb;
let app: Express;
let token: string;
let orgId: number;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  token = (await makeToken(db.prisma, 'read,tickets:write,contacts:write')).token;
  orgId = (await makeOrg(db.prisma)).id;
});
afterAll(() => db.drop());

const api = () => ({ authorization: `Bearer ${token}` });
// The receivers of these tests listen on loopback, which only WEBHOOK_ALLOW_PRIVATE opens.
const deliver = () => deliverDueWebhooks(db.prisma, { timeoutMs: 2_000, allowPrivate: true });

/** Registers an endpoint with the staff tool; returns its id and the secret shown once. */
async function addWebhook(url: string, events: string) {
  const r = await runPim(db.prisma, 'webhook:add', '--url', url, '--events', events);
  expect(r.code, r.err.join('\n')).toBe(0);
  return {
    id: Number(/webhook (\d+) added/.exec(r.out[0]!)![1]),
    secret: /secret \(shown only now\): (\S+)/.exec(r.out[1]!)![1]!,
  };
}

const verify = (secret: string, r: Received, body = r.body) =>
  verifyWebhook(
    secret,
    { timestamp: r.headers['pim-timestamp'] as string, signature: r.headers['pim-signature'] as string },
    body,
  );

describe('webhooks', () => {
  it('a receiver that is down gets every event once it is back, in order per ticket, each signature valid', async () => {
    const receiver = await startReceiver();
    const { port, url } = receiver;
    await receiver.close(); // down: nothing listens on the port
    const hook = await addWebhook(url, 'ticket.created,ticket.note_added,ticket.status_changed');

    // Changes through the API (two tickets, interleaved) and one through the staff tool.
    const ids: number[] = [];
    for (const title of ['Printer stuk', 'Telefoon stuk']) {
      const res = await request(app).post('/api/v1/tickets').set(api()).send({ organizationId: orgId, title });
      expect(res.status, res.text).toBe(201);
      ids.push(res.body.id as number);
    }
    const [a, b] = ids as [number, number];
    expect(
      (await request(app).post(`/api/v1/tickets/${a}/replies`).set(api()).send({ body: 'We kijken ernaar' })).status,
    ).toBe(201);
    expect(
      (await request(app).post(`/api/v1/tickets/${b}/status`).set(api()).send({ status: 'IN_PROGRESS' })).status,
    ).toBe(200);
    expect(
      (await request(app).post(`/api/v1/tickets/${a}/status`).set(api()).send({ status: 'WAITING_CUSTOMER' })).status,
    ).toBe(200);
    expect((await runPim(db.prisma, 'ticket:status', String(a), 'RESOLVED')).code).toBe(0);

    expect(await deliver()).toBe(0);
    const pending = await db.prisma.webhookDelivery.findMany({
      where: { endpointId: hook.id },
      orderBy: { id: 'asc' },
    });
    expect(pending).toHaveLength(6);
    // Only the first of each ticket was tried; the later ones wait behind it.
    expect(pending.map((d) => d.attempts)).toEqual([1, 1, 0, 0, 0, 0]);
    expect(pending.every((d) => d.deliveredAt === null)).toBe(true);

    // Time passes: every delivery is due, the latest first, so only the ordering rule keeps the order.
    await db.prisma
      .$executeRaw`UPDATE webhook_deliveries SET next_attempt_at = now() - make_interval(secs => id::int) WHERE endpoint_id = ${hook.id}`;
    const back = await startReceiver(port);
    try {
      expect(await deliver()).toBe(6);
      const events = await db.prisma.webhookEvent.findMany({ orderBy: { id: 'asc' } });
      expect(back.received.map((r) => r.headers['pim-event-id']).sort()).toEqual(events.map((e) => e.publicId).sort());
      for (const r of back.received) expect(verify(hook.secret, r)).toBe(true);
      const seen = (ticket: number) =>
        back.received
          .map((r) => JSON.parse(r.body) as { type: string; data: { id: string; after: { status?: string } } })
          .filter((e) => e.data.id === String(ticket));
      expect(seen(a).map((e) => e.type)).toEqual([
        'ticket.created',
        'ticket.note_added',
        'ticket.status_changed',
        'ticket.status_changed',
      ]);
      expect(
        seen(a)
          .slice(2)
          .map((e) => e.data.after.status),
      ).toEqual(['WAITING_CUSTOMER', 'RESOLVED']);
      expect(seen(b).map((e) => e.type)).toEqual(['ticket.created', 'ticket.status_changed']);
      // Delivered once: a second run sends nothing.
      expect(await deliver()).toBe(0);
      expect(back.received).toHaveLength(6);
    } finally {
      await back.close();
      await runPim(db.prisma, 'webhook:remove', String(hook.id));
    }
  });

  it('stopping (SIGTERM) with a backlog posts the batch in hand and leaves the rest for the next run', async () => {
    const receiver = await startReceiver();
    const hook = await addWebhook(receiver.url, 'ticket.created');
    try {
      for (let i = 0; i < 15; i++) {
        const res = await request(app)
          .post('/api/v1/tickets')
          .set(api())
          .send({ organizationId: orgId, title: `Achterstand ${i}` });
        expect(res.status, res.text).toBe(201);
      }
      const stopped = AbortSignal.abort();
      expect(await deliverDueWebhooks(db.prisma, { timeoutMs: 2_000, allowPrivate: true }, stopped)).toBe(10);
      expect(await db.prisma.webhookDelivery.count({ where: { endpointId: hook.id, deliveredAt: null } })).toBe(5);
      expect(await deliver()).toBe(5);
      expect(receiver.received).toHaveLength(15);
    } finally {
      await receiver.close();
      await runPim(db.prisma, 'webhook:remove', String(hook.id));
    }
  });

  it('a receiver that answers a byte at a time is cut at the time-out of the whole delivery, and retried later', async () => {
    // Each byte well inside the time-out, the whole answer far beyond it.
    const trickle = net.createServer((socket) => {
      const answer = 'HTTP/1.1 204 No Content\r\nX-Slow: ' + 'x'.repeat(200) + '\r\n\r\n';
      let i = 0;
      const timer = setInterval(() => {
        if (socket.destroyed || i >= answer.length) return clearInterval(timer);
        socket.write(answer[i++]!);
      }, 50);
      socket.on('error', () => clearInterval(timer));
      socket.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
    const port = (trickle.address() as net.AddressInfo).port;
    const hook = await addWebhook(`http://127.0.0.1:${port}/hooks/pim`, 'ticket.created');
    try {
      const res = await request(app).post('/api/v1/tickets').set(api()).send({ organizationId: orgId, title: 'Traag' });
      expect(res.status, res.text).toBe(201);
      expect(await deliverDueWebhooks(db.prisma, { timeoutMs: 500, allowPrivate: true })).toBe(0);
      const [d] = await db.prisma.webhookDelivery.findMany({ where: { endpointId: hook.id } });
      expect(d!.deliveredAt).toBeNull();
      expect(d!.lastError).toBe('no answer within 500 ms');
    } finally {
      await runPim(db.prisma, 'webhook:remove', String(hook.id));
      await new Promise((r) => trickle.close(r));
    }
  });

  it('goes nowhere but public addresses unless WEBHOOK_ALLOW_PRIVATE: loopback by number, by name, IPv4-mapped (names resolved at connect: tests/unit/outbound.test.ts)', async () => {
    const receiver = await startReceiver();
    const { port } = receiver;
    const hooks = [
      await addWebhook(`http://127.0.0.1:${port}/`, 'contact.changed'),
      await addWebhook(`http://localhost:${port}/`, 'contact.changed'),
    ];
    // A form the staff tool does not take over http, as a row might hold it: IPv4-mapped loopback.
    for (const url of [`http://[::ffff:127.0.0.1]:${port}/`]) {
      const row = await db.prisma.webhookEndpoint.create({
        data: { url, events: ['contact.changed'], secret: 'whsec_test', createdBy: 'test' },
      });
      hooks.push({ id: row.id, secret: row.secret });
    }
    const targets = hooks;
    try {
      const res = await request(app)
        .post('/api/v1/contacts')
        .set(api())
        .send({ organizationId: orgId, lastName: 'Scanner' });
      expect(res.status, res.text).toBe(201);
      expect(await deliverDueWebhooks(db.prisma, { timeoutMs: 2_000 })).toBe(0);
      expect(receiver.received).toEqual([]);
      const rows = await db.prisma.webhookDelivery.findMany({ where: { endpointId: { in: hooks.map((h) => h.id) } } });
      expect(rows).toHaveLength(targets.length);
      for (const r of rows) {
        expect(r.deliveredAt).toBeNull();
        expect(r.lastError).toMatch(/is this machine|not a public address/);
      }
      // The same deliveries go out where the setting allows a receiver inside the network
      // (due now, not after the back-off).
      await db.prisma.webhookDelivery.updateMany({
        where: { endpointId: { in: hooks.map((h) => h.id) } },
        data: { nextAttemptAt: new Date(0) },
      });
      expect(await deliver()).toBe(targets.length);
      expect(receiver.received).toHaveLength(targets.length);
    } finally {
      await receiver.close();
      for (const h of hooks) await runPim(db.prisma, 'webhook:remove', String(h.id));
    }
  });

  it('a tampered payload, another secret or an old timestamp fails the documented verification', async () => {
    const receiver = await startReceiver();
    const hook = await addWebhook(receiver.url, 'contact.changed');
    try {
      const res = await request(app)
        .post('/api/v1/contacts')
        .set(api())
        .send({ organizationId: orgId, lastName: 'Bakker' });
      expect(res.status, res.text).toBe(201);
      expect(await deliver()).toBe(1);
      const got = receiver.received[0]!;
      expect(JSON.parse(got.body)).toMatchObject({
        type: 'contact.changed',
        data: { object: 'contact', id: String(res.body.id), change: 'contact.created' },
      });
      expect(verify(hook.secret, got)).toBe(true);
      expect(verify(hook.secret, got, got.body.replace('Bakker', 'Bakkes'))).toBe(false);
      expect(verify('whsec_another', got)).toBe(false);
      const ts = Number(got.headers['pim-timestamp']);
      expect(
        verifyWebhook(
          hook.secret,
          { timestamp: got.headers['pim-timestamp'] as string, signature: got.headers['pim-signature'] as string },
          got.body,
          new Date((ts + 301) * 1000),
        ),
      ).toBe(false);
    } finally {
      await receiver.close();
      await runPim(db.prisma, 'webhook:remove', String(hook.id));
    }
  });

  it('gives up after 24 hours of failures; the log shows it and redeliver sends it again', async () => {
    const receiver = await startReceiver();
    const { port, url } = receiver;
    await receiver.close();
    const hook = await addWebhook(url, '*');
    const person = await makePerson(db.prisma, orgId);
    const res = await request(app).patch(`/api/v1/contacts/${person.id}`).set(api()).send({ firstName: 'Henk' });
    expect(res.status, res.text).toBe(200);
    await db.prisma
      .$executeRaw`UPDATE webhook_deliveries SET created_at = now() - interval '25 hours' WHERE endpoint_id = ${hook.id}`;
    expect(await deliver()).toBe(0);
    const [failed] = await db.prisma.webhookDelivery.findMany({ where: { endpointId: hook.id } });
    expect(failed!.failedAt).not.toBeNull();
    const log = await runPim(db.prisma, 'webhook:deliveries', String(hook.id));
    expect(log.out[0]).toMatch(/\tcontact\.changed\tfailed /);

    const back = await startReceiver(port);
    try {
      expect(await deliver()).toBe(0); // a failed delivery is not retried by itself
      expect((await runPim(db.prisma, 'webhook:redeliver', String(failed!.id))).code).toBe(0);
      expect(await deliver()).toBe(1);
      expect(back.received[0]!.headers['pim-event-id']).toBe(
        (await db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: failed!.eventId } })).publicId,
      );
    } finally {
      await back.close();
    }
  });
});
