import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText, TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import { FILES } from '../support/files.js';
import { RETENTION, runRetention, type RetentionResult } from '../../src/jobs/retention.js';
import { PENDING_LIMITS } from '../../src/features/tickets/attachments.js';
import { createStorage } from '../../src/storage/index.js';
import type { FileStorage } from '../../src/storage/types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let db: TestDb;
let app: Express;
let clock: TestClock;
let storage: FileStorage;

beforeAll(async () => {
  db = await createTestDb();
  storage = createStorage(undefined, db.prisma);
  ({ app, clock } = testApp(db, { storage }));
});
afterAll(() => db.drop());

const run = () => runRetention({ prisma: db.prisma, pool: db.pool, storage, clock });
const removed = (r: RetentionResult) => (r.skipped ? {} : r.removed);
const ago = (ms: number) => new Date(clock.now().getTime() - ms);
const storedKeys = async (keys: string[]) =>
  (await db.prisma.storedFile.findMany({ where: { key: { in: keys } }, select: { key: true } })).map((f) => f.key);
const chunkCount = async (keys: string[]) =>
  Number(
    (
      await db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM stored_file_chunks WHERE key = ANY(${keys})`
    )[0]!.n,
  );

async function agentFor(email: string | null) {
  const agent = client(app);
  expect((await logIn(agent, email!, PASSWORD)).status).toBe(302);
  return agent;
}

/** Posts the new-ticket form without a title (refused: its files wait as pending uploads). */
async function postRefused(agent: TestAgent, orgId: number, files: { name: string; body: Buffer }[], token?: string) {
  let req = agent
    .post('/tickets/new')
    .field('_csrf', token ?? csrfFrom((await agent.get('/tickets/new')).text))
    .field('organizationId', String(orgId))
    .field('title', '');
  for (const f of files) req = req.attach('files', f.body, f.name);
  return req;
}

async function reporter() {
  const org = await makeOrg(db.prisma);
  const person = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
  return { org, person, agent: await agentFor(person.email) };
}

const pendingOf = (uploaderId: number) =>
  db.prisma.ticketAttachment.findMany({ where: { uploaderId, ticketId: null }, orderBy: { id: 'asc' } });

describe('pending uploads of refused ticket forms', () => {
  it('are deleted with their stored files a day after the refused form by the clean-up; younger ones stay', async () => {
    const early = await reporter();
    expect((await postRefused(early.agent, early.org.id, [{ name: 'oud.pdf', body: FILES.pdf() }])).status).toBe(422);
    clock.advance(12 * HOUR);
    const later = await reporter();
    expect((await postRefused(later.agent, later.org.id, [{ name: 'jong.png', body: FILES.png() }])).status).toBe(422);
    const oldKeys = (await pendingOf(early.person.id)).map((p) => p.storageKey);
    const youngKeys = (await pendingOf(later.person.id)).map((p) => p.storageKey);
    expect(oldKeys).toHaveLength(1);
    expect(youngKeys).toHaveLength(1);

    // Nobody submits again: nothing but the clean-up can remove them.
    clock.advance(11 * HOUR);
    await run();
    expect(await pendingOf(early.person.id)).toHaveLength(1);

    clock.advance(2 * HOUR); // 25 hours after the first form, 13 after the second
    const result = await run();
    expect(removed(result).pendingUploads).toBe(1);
    expect(await pendingOf(early.person.id)).toEqual([]);
    expect(await storedKeys(oldKeys)).toEqual([]);
    expect(await chunkCount(oldKeys)).toBe(0);
    expect((await pendingOf(later.person.id)).map((p) => p.fileName)).toEqual(['jong.png']);
    expect(await storedKeys(youngKeys)).toEqual(youngKeys);
    expect(await chunkCount(youngKeys)).toBeGreaterThan(0);
  });

  it('are capped per person: a burst of refused forms keeps at most 20 files, refuses the rest with the reason and stores no byte of them', async () => {
    const { org, person, agent } = await reporter();
    const forms = Array.from({ length: 8 }, (_, i) =>
      Array.from({ length: 5 }, (_, j) => ({ name: `log-${i}-${j}.log`, body: FILES.log(5 + j) })),
    );
    // The form is opened once (its token), then all are sent at once.
    const token = csrfFrom((await agent.get('/tickets/new')).text);
    const answers = await Promise.all(forms.map((files) => postRefused(agent, org.id, files, token)));
    expect(answers.map((a) => a.status)).toEqual(forms.map(() => 422));
    const pending = await pendingOf(person.id);
    expect(pending).toHaveLength(PENDING_LIMITS.files);
    const notKept = answers.flatMap((a) => visibleText(a.text).match(/log-\d-\d\.log: niet bewaard/g) ?? []);
    expect(notKept).toHaveLength(40 - PENDING_LIMITS.files);
    // Only the kept files have bytes in storage.
    const stored = await db.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM stored_files f WHERE f.key = ANY(${pending.map((p) => p.storageKey)})`;
    expect(Number(stored[0]!.n)).toBe(PENDING_LIMITS.files);
    const orphans = await db.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM stored_files f
      WHERE NOT EXISTS (SELECT 1 FROM ticket_attachments a WHERE a.storage_key = f.key)`;
    expect(Number(orphans[0]!.n)).toBe(0);
  });

  it('are capped by bytes too, with the reason in English for an English reader', async () => {
    const { org, person, agent } = await reporter();
    await db.prisma.ticketAttachment.create({
      data: {
        uploaderId: person.id,
        fileName: 'groot.zip',
        contentType: 'application/zip',
        size: PENDING_LIMITS.bytes - 10,
        storageKey: `test-${person.id}`,
        createdAt: clock.now(),
      },
    });
    await agent.get('/tickets?lang=en');
    const res = await postRefused(agent, org.id, [{ name: 'extra.pdf', body: FILES.pdf() }]);
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('extra.pdf: not kept: 20 files or 200 MB from earlier forms');
    expect((await pendingOf(person.id)).map((p) => p.fileName)).toEqual(['groot.zip']);
    await db.prisma.ticketAttachment.deleteMany({ where: { uploaderId: person.id } });
  });
});

describe('the retention clean-up', () => {
  it('runs on one instance at a time: while another holds the lock it skips', async () => {
    const other = await db.pool.connect();
    try {
      await other.query('SELECT pg_advisory_lock(20261207, 19)');
      expect(await run()).toEqual({ skipped: true });
      await other.query('SELECT pg_advisory_unlock(20261207, 19)');
      expect((await run()).skipped).toBe(false);
    } finally {
      other.release();
    }
  });

  it('finds the old rows of each table through an index (no table read whole, however large it grows)', async () => {
    const c = await db.pool.connect();
    try {
      // With sequential scans priced out, a plan still shows one when no index serves the filter.
      await c.query('SET enable_seqscan = off');
      for (const [table, where, order] of [
        ['ticket_attachments', 'ticket_id IS NULL AND created_at < now()', 'ticket_id, created_at'],
        ['mail_outbox', 'sent_at < now()', 'sent_at'],
        ['mail_outbox', 'failed_at < now()', 'failed_at'],
        ['webhook_deliveries', 'delivered_at < now()', 'delivered_at'],
        ['webhook_deliveries', 'failed_at < now()', 'failed_at'],
        ['webhook_events', 'created_at < now()', 'created_at'],
        ['session', 'expire < now()', 'expire'],
        ['login_throttles', 'window_start < now()', 'window_start'],
        ['api_rate_counters', 'window_start < now()', 'window_start'],
        ['api_idempotency_keys', 'created_at < now()', 'created_at'],
        ['audit_events', 'at < now()', 'at'],
        ['password_tokens', 'expires_at < now()', 'expires_at'],
        ['known_browsers', 'last_seen_at < now()', 'last_seen_at'],
        ['stored_files', 'created_at < now()', 'created_at'],
      ] as [string, string, string][]) {
        const { rows } = await c.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT 1 FROM ${table} WHERE ${where} ORDER BY ${order} LIMIT 1000`,
        );
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan, `${table}: ${where}`).not.toMatch(/Seq Scan/);
        // The time is the index's condition, not a filter over a whole index read in order.
        expect(plan, `${table}: ${where}`).toMatch(new RegExp(`Index Cond: .*${where.split(' ').at(-3)!} <`));
      }
    } finally {
      await c.query('RESET enable_seqscan');
      c.release();
    }
  });

  it('removes sent and given-up mails after 30 days; unsent ones and younger ones stay', async () => {
    const mail = (subject: string, over: { sentAt?: Date; failedAt?: Date; createdAt?: Date }) =>
      db.prisma.mailOutbox.create({
        data: { recipient: 'a@example.nl', subject, text: 'x', createdAt: over.createdAt ?? ago(40 * DAY), ...over },
      });
    await mail('sent-old', { sentAt: ago(31 * DAY) });
    await mail('sent-young', { sentAt: ago(29 * DAY) });
    await mail('failed-old', { failedAt: ago(31 * DAY) });
    await mail('failed-young', { failedAt: ago(2 * DAY) });
    await mail('waiting', {});
    await run();
    const left = (await db.prisma.mailOutbox.findMany({ orderBy: { subject: 'asc' } })).map((m) => m.subject);
    expect(left).toEqual(['failed-young', 'sent-young', 'waiting']);
  });

  it('removes webhook deliveries 30 days after delivery or giving up, and events no delivery names', async () => {
    const endpoint = await db.prisma.webhookEndpoint.create({
      data: { url: 'https://example.nl/hook', events: ['*'], secret: 's', createdBy: 'test' },
    });
    const event = (id: string, createdAt: Date) =>
      db.prisma.webhookEvent.create({
        data: { publicId: id, type: 'ticket.created', orderingKey: 'ticket:1', payload: {}, createdAt },
      });
    const delivery = (eventId: bigint, over: { deliveredAt?: Date; failedAt?: Date }) =>
      db.prisma.webhookDelivery.create({
        data: { endpointId: endpoint.id, eventId, orderingKey: 'ticket:1', createdAt: ago(40 * DAY), ...over },
      });
    const e1 = await event('evt-old-delivered', ago(40 * DAY));
    await delivery(e1.id, { deliveredAt: ago(31 * DAY) });
    const e2 = await event('evt-young-delivered', ago(40 * DAY));
    await delivery(e2.id, { deliveredAt: ago(29 * DAY) });
    const e3 = await event('evt-old-failed', ago(40 * DAY));
    await delivery(e3.id, { failedAt: ago(31 * DAY) });
    const e4 = await event('evt-pending', ago(40 * DAY));
    await delivery(e4.id, {});
    await event('evt-nobody-old', ago(31 * DAY));
    await event('evt-nobody-young', ago(DAY));
    await run();
    const deliveries = await db.prisma.webhookDelivery.findMany({ include: { event: true } });
    expect(deliveries.map((d) => d.event.publicId).sort()).toEqual(['evt-pending', 'evt-young-delivered']);
    const events = (await db.prisma.webhookEvent.findMany()).map((e) => e.publicId).sort();
    expect(events).toEqual(['evt-nobody-young', 'evt-pending', 'evt-young-delivered']);
  });

  it('removes sessions once expired or ended; live ones stay', async () => {
    const session = (sid: string, expire: string | Date) =>
      db.prisma
        .$executeRaw`INSERT INTO session (sid, sess, expire) VALUES (${sid}, '{}'::json, ${expire}::timestamptz)`;
    await session('expired', ago(HOUR));
    await session('ended', '-infinity');
    await session('live', new Date(clock.now().getTime() + HOUR));
    await run();
    const left = (await db.prisma.session.findMany({ where: { sid: { in: ['expired', 'ended', 'live'] } } })).map(
      (s) => s.sid,
    );
    expect(left).toEqual(['live']);
    clock.advance(2 * HOUR);
    await run();
    expect(await db.prisma.session.count({ where: { sid: 'live' } })).toBe(0);
  });

  it('stopping (SIGTERM) ends a long clean-up after the batch in hand; the next run removes the rest', async () => {
    await db.prisma.$executeRaw`
      INSERT INTO session (sid, sess, expire)
      SELECT 'backlog-' || i, '{}'::json, ${ago(HOUR)}::timestamptz FROM generate_series(1, 2500) AS i`;
    const backlog = () => db.prisma.session.count({ where: { sid: { startsWith: 'backlog-' } } });
    const stopped = runRetention({ prisma: db.prisma, pool: db.pool, storage, clock }, AbortSignal.abort());
    expect(removed(await stopped).sessions).toBe(1000);
    expect(await backlog()).toBe(1500);
    expect(removed(await run()).sessions).toBe(1500);
    expect(await backlog()).toBe(0);
  });

  it('prunes login throttle counters once they can no longer matter; recent ones and running locks stay', async () => {
    const hoursAgo = (h: number) => ago(h * HOUR);
    await db.prisma.loginThrottle.createMany({
      data: [
        { key: 'acct:old@example.nl', failures: 3, windowStart: hoursAgo(30) },
        { key: 'acct:old-lock-over@example.nl', failures: 5, windowStart: hoursAgo(30), lockedUntil: hoursAgo(29) },
        { key: 'acct:recent@example.nl', failures: 2, windowStart: hoursAgo(1) },
        {
          key: 'acct:locked-now@example.nl',
          failures: 5,
          windowStart: hoursAgo(30),
          lockedUntil: new Date(clock.now().getTime() + 600_000),
        },
      ],
    });
    await run();
    const keys = (
      await db.prisma.loginThrottle.findMany({ where: { key: { startsWith: 'acct:' } }, orderBy: { key: 'asc' } })
    ).map((t) => t.key);
    expect(keys).toEqual(['acct:locked-now@example.nl', 'acct:recent@example.nl']);
  });

  it('removes API rate counters after an hour and Idempotency-Keys after 25 hours', async () => {
    const token = await db.prisma.apiToken.create({
      data: { name: 'ERP', prefix: 'pim_x', tokenHash: `h-${clock.now().getTime()}`, scopes: [], createdBy: 'test' },
    });
    await db.prisma.apiRateCounter.createMany({
      data: [
        { tokenId: token.id, windowStart: ago(61 * 60_000), hits: 3 },
        { tokenId: token.id, windowStart: ago(59 * 60_000), hits: 4 },
      ],
    });
    const key = (k: string, createdAt: Date) => ({
      tokenId: token.id,
      key: k,
      fingerprint: 'f',
      status: 201,
      headers: {},
      body: '{}',
      createdAt,
    });
    await db.prisma.apiIdempotencyKey.createMany({ data: [key('old', ago(26 * HOUR)), key('young', ago(23 * HOUR))] });
    await run();
    expect((await db.prisma.apiRateCounter.findMany({ where: { tokenId: token.id } })).map((c) => c.hits)).toEqual([4]);
    expect((await db.prisma.apiIdempotencyKey.findMany({ where: { tokenId: token.id } })).map((k) => k.key)).toEqual([
      'young',
    ]);
  });

  it('keeps audit events (Activiteiten) for two years', async () => {
    const org = await makeOrg(db.prisma);
    const event = (kind: string, at: Date) =>
      db.prisma.auditEvent.create({
        data: { at, actorLabel: 'staff:test', organizationId: org.id, kind, subjectType: 'organization' },
      });
    await event('old', ago(RETENTION.auditMs + DAY));
    await event('young', ago(RETENTION.auditMs - DAY));
    await run();
    const kinds = (await db.prisma.auditEvent.findMany({ where: { organizationId: org.id } })).map((e) => e.kind);
    expect(kinds).toEqual(['young']);
  });

  it('removes password tokens a month after they expired, but keeps the newest open invitation', async () => {
    const org = await makeOrg(db.prisma);
    const a = await makePerson(db.prisma, org.id);
    const b = await makePerson(db.prisma, org.id);
    const token = (contactId: number, name: string, purpose: 'RESET' | 'INVITE', expiresAt: Date, usedAt?: Date) =>
      db.prisma.passwordToken.create({ data: { contactId, purpose, tokenHash: name, expiresAt, usedAt } });
    await token(a.id, 'reset-old', 'RESET', ago(31 * DAY));
    await token(a.id, 'reset-young', 'RESET', ago(29 * DAY));
    await token(a.id, 'invite-used-old', 'INVITE', ago(40 * DAY), ago(41 * DAY));
    await token(b.id, 'invite-older', 'INVITE', ago(60 * DAY));
    await token(b.id, 'invite-newest', 'INVITE', ago(50 * DAY));
    await run();
    const left = (await db.prisma.passwordToken.findMany({ where: { contactId: { in: [a.id, b.id] } } })).map(
      (t) => t.tokenHash,
    );
    expect(left.sort()).toEqual(['invite-newest', 'reset-young']);
  });

  it('forgets known browsers not seen for a year', async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id);
    await db.prisma.knownBrowser.createMany({
      data: [
        { contactId: p.id, browserHash: 'old', lastSeenAt: ago(366 * DAY) },
        { contactId: p.id, browserHash: 'young', lastSeenAt: ago(364 * DAY) },
      ],
    });
    await run();
    expect((await db.prisma.knownBrowser.findMany({ where: { contactId: p.id } })).map((b) => b.browserHash)).toEqual([
      'young',
    ]);
  });

  it('sweeps stored files no row names after a day; named and younger ones stay', async () => {
    const { Readable } = await import('node:stream');
    const put = async (key: string) => storage.put(key, Readable.from([Buffer.from('bytes')]));
    await put('sweep-old');
    await put('sweep-young');
    await put('sweep-named');
    const org = await makeOrg(db.prisma);
    const ticket = await makeTicket(db.prisma, org.id);
    await db.prisma.ticketAttachment.create({
      data: { ticketId: ticket.id, fileName: 'a.txt', contentType: 'text/plain', size: 5, storageKey: 'sweep-named' },
    });
    await db.prisma.storedFile.updateMany({
      where: { key: { in: ['sweep-old', 'sweep-named'] } },
      data: { createdAt: ago(RETENTION.storedFileMs + HOUR) },
    });
    await db.prisma.storedFile.update({ where: { key: 'sweep-young' }, data: { createdAt: ago(HOUR) } });
    await run();
    expect((await storedKeys(['sweep-old', 'sweep-young', 'sweep-named'])).sort()).toEqual([
      'sweep-named',
      'sweep-young',
    ]);
    expect(await chunkCount(['sweep-old'])).toBe(0);
  });
});
