import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeToken, runPim } from '../support/api.js';
import { ensureApplications } from '../../src/db/applications.js';

let db: TestDb;
let app: Express;
let editor: string;
let crm: string;
let orgId: number;
let person: Awaited<ReturnType<typeof makePerson>>;
let portal: TestAgent;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  await ensureApplications(db.prisma);
  editor = (await makeToken(db.prisma, 'read,content:write', 'Website')).token;
  crm = (await makeToken(db.prisma, 'read,contacts:write', 'CRM')).token;
  orgId = (await makeOrg(db.prisma)).id;
  person = await makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS'], firstName: 'Kim', lastName: 'Sanders' });
  portal = client(app);
  expect((await logIn(portal, person.email!, PASSWORD)).status).toBe(302);
});
afterAll(() => db.drop());

const auth = (t: string) => ({ authorization: `Bearer ${t}` });
const state = async () => ({
  faq: await db.prisma.faqEntry.findMany({ orderBy: { id: 'asc' } }),
  announcements: await db.prisma.announcement.findMany({ orderBy: { id: 'asc' } }),
  activations: await db.prisma.applicationActivation.findMany({
    orderBy: [{ contactId: 'asc' }, { applicationId: 'asc' }],
  }),
  contact: await db.prisma.contact.findUniqueOrThrow({
    where: { id: person.id },
    select: { version: true, updatedAt: true },
  }),
  audit: await db.prisma.auditEvent.count(),
  keys: await db.prisma.apiIdempotencyKey.count(),
});
const faqBody = (n: string) => ({ questionNl: `Vraag ${n}?`, answerNl: `Antwoord **${n}**.` });

describe('FAQ through the API', () => {
  it('a token without content:write gets 403 on every write, and nothing changes', async () => {
    const entry = await request(app).post('/api/v1/faq').set(auth(editor)).send(faqBody('vast'));
    expect(entry.status, entry.text).toBe(201);
    const { token } = await makeToken(db.prisma, 'read,documents:write,contacts:write');
    const before = await state();
    const tries = [
      await request(app).post('/api/v1/faq').set(auth(token)).set('idempotency-key', 'faq-no').send(faqBody('nee')),
      await request(app).patch(`/api/v1/faq/${entry.body.id}`).set(auth(token)).send({ position: 1 }),
      await request(app).delete(`/api/v1/faq/${entry.body.id}`).set(auth(token)),
    ];
    expect(tries.map((r) => r.status)).toEqual([403, 403, 403]);
    expect(tries[0]!.body.detail).toBe('This request needs the scope content:write');
    expect(await state()).toEqual(before);
  });

  it('add, read, list, move, change and remove: positions stay 1..n, each audited, the FAQ page follows', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const n = await db.prisma.faqEntry.count();
    const range = (k: number) => Array.from({ length: k }, (_, i) => i + 1);
    const last = await request(app).post('/api/v1/faq').set(auth(editor)).send(faqBody('laatste'));
    const first = await request(app)
      .post('/api/v1/faq')
      .set(auth(editor))
      .send({ ...faqBody('eerste'), questionEn: 'First question?', answerEn: 'First answer.', position: 1 });
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({ position: 1, questionNl: 'Vraag eerste?', questionEn: 'First question?' });
    const positions = async () =>
      (await db.prisma.faqEntry.findMany({ orderBy: { position: 'asc' } })).map((e) => [e.position, e.questionNl]);
    expect((await positions()).map(([p]) => p)).toEqual(range(n + 2));
    // Moving entries down changed the others: their ETag and last change moved with them.
    const lastNow = await request(app).get(`/api/v1/faq/${last.body.id}`).set(auth(editor));
    expect(lastNow.body.position).toBe(n + 2);
    expect(lastNow.headers.etag).not.toBe(last.headers.etag);
    const listed = await request(app).get('/api/v1/faq').query({ updated_since: since, limit: 500 }).set(auth(editor));
    expect(listed.body.data.map((e: { id: number }) => e.id)).toEqual(
      expect.arrayContaining([first.body.id, last.body.id]),
    );
    expect(visibleText((await portal.get('/faq')).text)).toContain('Vraag eerste?');
    expect(visibleText((await portal.get('/faq?lang=en')).text)).toContain('First question?');

    const moved = await request(app)
      .patch(`/api/v1/faq/${first.body.id}`)
      .set(auth(editor))
      .set('if-match', first.headers.etag as string)
      .send({ position: 9999, questionEn: null, answerEn: null });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({ position: n + 2, questionEn: null, answerEn: null });
    expect((await positions()).at(-1)).toEqual([n + 2, 'Vraag eerste?']);
    const gone = await request(app).delete(`/api/v1/faq/${last.body.id}`).set(auth(editor));
    expect(gone.status).toBe(204);
    expect((await positions()).map(([p]) => p)).toEqual(range(n + 1));
    expect((await runPim(db.prisma, 'faq:list')).out).toHaveLength(n + 1);
    const audit = await db.prisma.auditEvent.findMany({
      where: { subjectType: 'faq', actorLabel: 'api:Website' },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((a) => [a.kind, a.subjectId])).toEqual(
      expect.arrayContaining([
        ['faq.created', String(first.body.id)],
        ['faq.updated', String(first.body.id)],
        ['faq.removed', String(last.body.id)],
      ]),
    );
  });

  it('a retried Idempotency-Key POST adds one entry', async () => {
    const a = await request(app)
      .post('/api/v1/faq')
      .set(auth(editor))
      .set('idempotency-key', 'faq-1')
      .send(faqBody('eenmaal'));
    const b = await request(app)
      .post('/api/v1/faq')
      .set(auth(editor))
      .set('idempotency-key', 'faq-1')
      .send(faqBody('eenmaal'));
    expect([a.status, b.status, b.headers['idempotent-replayed']]).toEqual([201, 201, 'true']);
    expect(await db.prisma.faqEntry.count({ where: { questionNl: 'Vraag eenmaal?' } })).toBe(1);
  });

  it('a stale If-Match is a 412 and changes nothing; invalid input names its field and stores nothing', async () => {
    const e = await request(app).post('/api/v1/faq').set(auth(editor)).send(faqBody('oud'));
    await request(app).patch(`/api/v1/faq/${e.body.id}`).set(auth(editor)).send({ answerNl: 'Nieuw antwoord' });
    const before = await state();
    expect(
      (
        await request(app)
          .patch(`/api/v1/faq/${e.body.id}`)
          .set(auth(editor))
          .set('if-match', e.headers.etag as string)
          .send({ answerNl: 'Weg' })
      ).status,
    ).toBe(412);
    expect(
      (
        await request(app)
          .delete(`/api/v1/faq/${e.body.id}`)
          .set(auth(editor))
          .set('if-match', e.headers.etag as string)
      ).status,
    ).toBe(412);
    const pairs = await request(app)
      .post('/api/v1/faq')
      .set(auth(editor))
      .send({ ...faqBody('x'), questionEn: 'Only a question' });
    expect([pairs.status, pairs.body.errors]).toEqual([
      422,
      [{ pointer: '#/answerEn', detail: 'needed together with questionEn' }],
    ]);
    const empty = await request(app)
      .post('/api/v1/faq')
      .set(auth(editor))
      .send({ questionNl: ' ', answerNl: 'x', position: 0 });
    expect(empty.body.errors.map((x: { pointer: string }) => x.pointer).sort()).toEqual(['#/position', '#/questionNl']);
    const half = await request(app)
      .patch(`/api/v1/faq/${e.body.id}`)
      .set(auth(editor))
      .send({ answerEn: 'An answer without a question' });
    expect(half.body.errors).toEqual([{ pointer: '#/questionEn', detail: 'needed together with answerEn' }]);
    expect((await request(app).patch('/api/v1/faq/999999').set(auth(editor)).send({ answerNl: 'x' })).status).toBe(404);
    expect(await state()).toEqual(before);
  });
});

describe('announcements through the API', () => {
  it('a token without content:write gets 403 on every write, and nothing changes', async () => {
    const a = await request(app)
      .post('/api/v1/announcements')
      .set(auth(editor))
      .send({ kind: 'NEWS', titleNl: 'Vast', bodyNl: 'Tekst' });
    const before = await state();
    const tries = [
      await request(app)
        .post('/api/v1/announcements')
        .set(auth(crm))
        .set('idempotency-key', 'ann-no')
        .send({ kind: 'NEWS', titleNl: 'Nee', bodyNl: 'Nee' }),
      await request(app).patch(`/api/v1/announcements/${a.body.id}`).set(auth(crm)).send({ titleNl: 'Nee' }),
      await request(app).delete(`/api/v1/announcements/${a.body.id}`).set(auth(crm)),
    ];
    expect(tries.map((r) => r.status)).toEqual([403, 403, 403]);
    expect(await state()).toEqual(before);
  });

  it('post, read, list, change and remove: the dashboard shows it for the organisation, each write audited', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const posted = await request(app).post('/api/v1/announcements').set(auth(editor)).send({
      kind: 'OUTAGE',
      titleNl: 'Storing telefonie',
      bodyNl: 'Inkomende gesprekken vallen weg.',
      titleEn: 'Telephony outage',
      bodyEn: 'Incoming calls drop.',
      organizationId: orgId,
      publishedAt: '2020-06-10T08:00',
      expiresAt: '2099-01-01T00:00:00+01:00',
    });
    expect(posted.status, posted.text).toBe(201);
    const id = posted.body.id as number;
    expect(posted.body).toMatchObject({
      kind: 'OUTAGE',
      organizationId: orgId,
      publishedAt: '2020-06-10T06:00:00.000Z',
      expiresAt: '2098-12-31T23:00:00.000Z',
    });
    expect((await request(app).get(`/api/v1/announcements/${id}`).set(auth(editor))).body).toEqual(posted.body);
    const listed = await request(app).get('/api/v1/announcements').query({ updated_since: since }).set(auth(editor));
    expect(listed.body.data.map((a: { id: number }) => a.id)).toContain(id);
    expect(visibleText((await portal.get('/?lang=nl')).text)).toContain('Storing telefonie');

    const changed = await request(app)
      .patch(`/api/v1/announcements/${id}`)
      .set(auth(editor))
      .set('if-match', posted.headers.etag as string)
      .send({ titleNl: 'Storing verholpen', expiresAt: null });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ titleNl: 'Storing verholpen', expiresAt: null });
    expect(changed.headers.etag).toMatch(/^"2-/);
    expect(visibleText((await portal.get('/?lang=nl')).text)).toContain('Storing verholpen');
    expect((await request(app).delete(`/api/v1/announcements/${id}`).set(auth(editor))).status).toBe(204);
    expect(visibleText((await portal.get('/?lang=nl')).text)).not.toContain('Storing verholpen');
    expect((await request(app).get(`/api/v1/announcements/${id}`).set(auth(editor))).status).toBe(404);
    const audit = await db.prisma.auditEvent.findMany({
      where: { subjectType: 'announcement', subjectId: String(id) },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((a) => [a.kind, a.actorLabel, a.organizationId])).toEqual([
      ['announcement.created', 'api:Website', orgId],
      ['announcement.updated', 'api:Website', orgId],
      ['announcement.removed', 'api:Website', orgId],
    ]);
  });

  it('a retried Idempotency-Key POST posts once; a stale If-Match is a 412; invalid input names its field', async () => {
    const body = { kind: 'MAINTENANCE', titleNl: 'Onderhoud', bodyNl: 'Zaterdag onderhoud.' };
    const a = await request(app)
      .post('/api/v1/announcements')
      .set(auth(editor))
      .set('idempotency-key', 'ann-1')
      .send(body);
    const b = await request(app)
      .post('/api/v1/announcements')
      .set(auth(editor))
      .set('idempotency-key', 'ann-1')
      .send(body);
    expect([a.status, b.status, b.body.id]).toEqual([201, 201, a.body.id]);
    expect(await db.prisma.announcement.count({ where: { titleNl: 'Onderhoud' } })).toBe(1);

    await request(app)
      .patch(`/api/v1/announcements/${a.body.id}`)
      .set(auth(editor))
      .send({ bodyNl: 'Zondag onderhoud.' });
    const before = await state();
    expect(
      (
        await request(app)
          .patch(`/api/v1/announcements/${a.body.id}`)
          .set(auth(editor))
          .set('if-match', a.headers.etag as string)
          .send({ bodyNl: 'Weg' })
      ).status,
    ).toBe(412);
    expect(
      (
        await request(app)
          .delete(`/api/v1/announcements/${a.body.id}`)
          .set(auth(editor))
          .set('if-match', a.headers.etag as string)
      ).status,
    ).toBe(412);
    const refusals: [object, string][] = [
      [{ ...body, publishedAt: '2026-06-10T08:00', expiresAt: '2026-06-01' }, '#/expiresAt'],
      [{ ...body, titleEn: 'Maintenance' }, '#/bodyEn'],
      [{ ...body, organizationId: 999999 }, '#/organizationId'],
      [{ ...body, publishedAt: 'tomorrow' }, '#/publishedAt'],
      [{ ...body, kind: 'GOSSIP' }, '#/kind'],
      [{ ...body, titleNl: 'x'.repeat(201) }, '#/titleNl'],
    ];
    for (const [bad, pointer] of refusals) {
      const res = await request(app).post('/api/v1/announcements').set(auth(editor)).send(bad);
      expect([res.status, res.body.errors?.[0]?.pointer], JSON.stringify(bad)).toEqual([422, pointer]);
    }
    const late = await request(app)
      .patch(`/api/v1/announcements/${a.body.id}`)
      .set(auth(editor))
      .send({ expiresAt: '2000-01-01T00:00:00Z' });
    expect(late.body.errors).toEqual([{ pointer: '#/expiresAt', detail: 'must be later than the publication time' }]);
    expect(await state()).toEqual(before);
  });
});

describe('application tiles through the API', () => {
  it('a token without contacts:write gets 403, and nothing changes', async () => {
    const before = await state();
    for (const method of ['put', 'delete'] as const) {
      expect(
        (await request(app)[method](`/api/v1/contacts/${person.id}/applications/OPERATOR`).set(auth(editor))).status,
      ).toBe(403);
    }
    expect(await state()).toEqual(before);
  });

  it('activate (once), read, deactivate: the dashboard, the contact and a changed-since sync follow; each audited and reported', async () => {
    await runPim(db.prisma, 'webhook:add', '--url', 'http://127.0.0.1:9/hook', '--events', 'contact.changed');
    const events = () => db.prisma.webhookEvent.count({ where: { type: 'contact.changed' } });
    const eventsBefore = await events();
    const contact = await request(app).get(`/api/v1/contacts/${person.id}`).set(auth(crm));
    const since = new Date().toISOString();
    const on = await request(app)
      .put(`/api/v1/contacts/${person.id}/applications/recorder`)
      .set(auth(crm))
      .set('if-match', contact.headers.etag as string);
    expect(on.status, on.text).toBe(201);
    expect(on.body).toEqual({
      contactId: person.id,
      applications: [{ code: 'RECORDER', name: 'Recorder', activatedAt: expect.any(String) }],
    });
    expect(on.headers.etag).not.toBe(contact.headers.etag);
    const again = await request(app).put(`/api/v1/contacts/${person.id}/applications/RECORDER`).set(auth(crm));
    expect([again.status, again.headers.etag]).toEqual([200, on.headers.etag]);
    expect(await db.prisma.applicationActivation.count({ where: { contactId: person.id } })).toBe(1);
    expect(visibleText((await portal.get('/?lang=nl')).text)).toContain('Recorder');

    const read = await request(app).get(`/api/v1/contacts/${person.id}`).set(auth(crm));
    expect([read.body.applications, read.headers.etag]).toEqual([['RECORDER'], on.headers.etag]);
    expect((await request(app).get(`/api/v1/contacts/${person.id}/applications`).set(auth(crm))).body).toEqual(on.body);
    const sync = await request(app).get('/api/v1/contacts').query({ updated_since: since }).set(auth(crm));
    expect(sync.body.data.map((c: { id: number }) => c.id)).toContain(person.id);
    // Not its version: a colleague's open edit form is not refused for a tile.
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: person.id } })).version).toBe(1);

    const off = await request(app)
      .delete(`/api/v1/contacts/${person.id}/applications/RECORDER`)
      .set(auth(crm))
      .set('if-match', on.headers.etag as string);
    expect([off.status, off.body.applications]).toEqual([200, []]);
    expect(visibleText((await portal.get('/?lang=nl')).text)).not.toContain('Recorder');
    const audit = await db.prisma.auditEvent.findMany({
      where: { subjectType: 'contact', subjectId: String(person.id), kind: { startsWith: 'application.' } },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((a) => [a.kind, a.actorLabel])).toEqual([
      ['application.activated', 'api:CRM'],
      ['application.deactivated', 'api:CRM'],
    ]);
    expect(await events()).toBe(eventsBefore + 2);
  });

  it('a stale If-Match is a 412; an unknown contact or application a 404; a malformed code names its place; nothing changes', async () => {
    const contact = await request(app).get(`/api/v1/contacts/${person.id}`).set(auth(crm));
    await request(app).put(`/api/v1/contacts/${person.id}/applications/OPERATOR`).set(auth(crm));
    const before = await state();
    expect(
      (
        await request(app)
          .put(`/api/v1/contacts/${person.id}/applications/SCHEDULER`)
          .set(auth(crm))
          .set('if-match', contact.headers.etag as string)
      ).status,
    ).toBe(412);
    expect(
      (
        await request(app)
          .delete(`/api/v1/contacts/${person.id}/applications/OPERATOR`)
          .set(auth(crm))
          .set('if-match', contact.headers.etag as string)
      ).status,
    ).toBe(412);
    const unknown = await request(app).put(`/api/v1/contacts/${person.id}/applications/NOPE`).set(auth(crm));
    expect([unknown.status, unknown.body.detail]).toEqual([
      404,
      expect.stringMatching(/^no application with code NOPE \(one of OPERATOR, /),
    ]);
    expect((await request(app).put('/api/v1/contacts/999999/applications/OPERATOR').set(auth(crm))).status).toBe(404);
    const bad = await request(app).put(`/api/v1/contacts/${person.id}/applications/no%20such`).set(auth(crm));
    expect([bad.status, bad.body.errors[0].pointer]).toEqual([400, '#/path/code']);
    expect(await state()).toEqual(before);
  });
});

describe('the character rule at the API', () => {
  it('a control character in any JSON string or query value is refused with its pointer, for every resource', async () => {
    const { token } = await makeToken(db.prisma, 'read,organizations:write,content:write');
    const before = await db.prisma.organization.count();
    const org = await request(app).post('/api/v1/organizations').set(auth(token)).send({ name: 'Apotheek\u0000Noord' });
    expect([org.status, org.body.errors]).toEqual([
      422,
      [{ pointer: '#/name', detail: 'holds a control character; PIM stores none' }],
    ]);
    const esc = await request(app)
      .post('/api/v1/faq')
      .set(auth(token))
      .send({ questionNl: 'Waarom\u001b[2J?', answerNl: 'Daarom' });
    expect(esc.body.errors).toEqual([
      { pointer: '#/questionNl', detail: 'holds a control character; PIM stores none' },
    ]);
    const multi = await request(app)
      .post('/api/v1/faq')
      .set(auth(token))
      .send({ questionNl: 'Twee regels?', answerNl: 'Ja:\n\n- een\n- twee' });
    expect(multi.status).toBe(201);
    const query = await request(app).get('/api/v1/organizations').query({ cursor: 'a\u0007' }).set(auth(token));
    expect([query.status, query.body.errors[0].pointer]).toEqual([400, '#/query/cursor']);
    expect(await db.prisma.organization.count()).toBe(before);
  });
});
