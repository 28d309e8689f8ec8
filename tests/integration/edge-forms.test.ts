import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText, type TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import type { Role } from '../../src/auth/roles.js';
import type { Config } from '../../src/config.js';
import { verdictToken } from '../../src/features/tickets/verdict-links.js';
import { createPasswordToken } from '../../src/auth/tokens.js';

// Issue 19, "bad input keeps the person's work": a NUL or broken UTF-8 in one field shows the
// form again with the message beside that field and every other value, and saves nothing.

let db: TestDb;
let app: Express;
let config: Config;
let clock: TestClock;
let orgId: number;

beforeAll(async () => {
  db = await createTestDb();
  ({ app, config, clock } = testApp(db));
  orgId = (await makeOrg(db.prisma)).id;
});
afterAll(() => db.drop());

async function loggedIn(roles: Role[], main = false) {
  const p = await makePerson(db.prisma, orgId, { roles, main, firstName: 'Jan', lastName: 'Jansen' });
  const agent = client(app);
  expect((await logIn(agent, p.email!, PASSWORD)).status).toBe(302);
  return { p, agent };
}

/** A urlencoded body from already-encoded parts (so a test can put %00 or %FF in one value). */
const encoded = (fields: Record<string, string>, raw: Record<string, string>) =>
  [
    ...Object.entries(fields).map(([k, v]) => `${k}=${encodeURIComponent(v)}`),
    ...Object.entries(raw).map(([k, v]) => `${k}=${v}`),
  ].join('&');

/** A multipart body by hand, so one value can carry bytes that are not UTF-8. */
function multipart(fields: Record<string, string | Buffer>): { type: string; body: Buffer } {
  const boundary = 'xXpimTESTboundaryXx';
  const parts = Object.entries(fields).map(([k, v]) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n`),
      Buffer.isBuffer(v) ? v : Buffer.from(v),
      Buffer.from('\r\n'),
    ]),
  );
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]),
  };
}

const sendRaw = (agent: TestAgent, path: string, type: string, body: Buffer | string) =>
  agent
    .post(path)
    .set('Content-Type', type)
    .serialize(((b: Buffer) => b) as unknown as (obj: unknown) => string)
    .send(Buffer.isBuffer(body) ? body : Buffer.from(body));

const FORM = 'application/x-www-form-urlencoded';
const BROKEN = Buffer.from([0x50, 0x72, 0xff, 0xfe, 0x69, 0x6e]); // "Pr", two bytes no UTF-8 has, "in"

describe('new ticket', () => {
  const fields = () => ({
    organizationId: String(orgId),
    description: 'Sinds vanochtend geen kiestoon.',
    customerReference: 'PO-4711',
    alternativePhone: '',
    kind: '',
  });

  it('a NUL in the title (urlencoded): 422, the message beside the title, the other values kept, no ticket', async () => {
    const { agent, p } = await loggedIn(['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS']);
    const csrf = csrfFrom((await agent.get('/tickets/new')).text);
    const res = await sendRaw(
      agent,
      '/tickets/new',
      FORM,
      encoded({ _csrf: csrf, ...fields() }, { title: 'Prin%00ter' }),
    );
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toMatch(/Titel \* .*Deze tekst bevat onzichtbare stuurtekens/);
    expect(res.text).toContain('Sinds vanochtend geen kiestoon.');
    expect(res.text).toContain('value="PO-4711"');
    expect(res.text).toContain('value="Printer"');
    expect(await db.prisma.ticket.count({ where: { reporterId: p.id } })).toBe(0);
  });

  it('broken UTF-8 in the title (multipart, as a browser sends a form with files): 422 in English, values kept, no ticket', async () => {
    const { agent, p } = await loggedIn(['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS']);
    const csrf = csrfFrom((await agent.get('/tickets/new?lang=en')).text);
    const form = multipart({ _csrf: csrf, ...fields(), title: BROKEN });
    const res = await sendRaw(agent, '/tickets/new', form.type, form.body);
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('not valid UTF-8');
    expect(res.text).toContain('Sinds vanochtend geen kiestoon.');
    expect(res.text).toContain('value="PO-4711"');
    expect(await db.prisma.ticket.count({ where: { reporterId: p.id } })).toBe(0);
  });

  it('a NUL in a note (multipart): 422, nothing added', async () => {
    const { agent, p } = await loggedIn(['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS']);
    const ticket = await db.prisma.ticket.create({
      data: {
        organizationId: orgId,
        reporterId: p.id,
        title: 'Storing',
        status: 'NEW',
        helpdesk: 'Support Vtel',
        channel: 'PHONE',
        reportedAt: new Date('2026-01-01T09:00:00Z'),
      },
    });
    const csrf = csrfFrom((await agent.get(`/tickets/${ticket.id}/notes/new`)).text);
    const form = multipart({ _csrf: csrf, body: 'Regel een\nregel\u0000twee' });
    const res = await sendRaw(agent, `/tickets/${ticket.id}/notes`, form.type, form.body);
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('onzichtbare stuurtekens');
    expect(res.text).toContain('Regel een\nregeltwee');
    expect(await db.prisma.ticketNote.count({ where: { ticketId: ticket.id } })).toBe(0);
  });
});

describe('contact edit', () => {
  const contactFields = (version: string) => ({
    version,
    lastName: 'Breukers',
    organizationId: String(orgId),
    firstName: 'Geert',
    initials: 'G',
    infix: '',
    gender: 'MALE',
    birthDate: '',
    active: 'yes',
    subscribeUpdate: 'yes',
    subscribeCare: 'no',
    subscribeBusiness: 'no',
    subscribeFlash: 'no',
    email: '',
    fax: '',
    mobile: '',
    privateStreet: 'Pantheon 2',
    privatePostcode: '',
    privateCity: '',
    privateCountry: 'Nederland',
    webAccess: 'no',
  });

  it('a NUL or broken UTF-8 in the phone: 422 with the message beside it, every other value kept, nothing saved', async () => {
    const { agent } = await loggedIn([], true);
    const c = await makePerson(db.prisma, orgId, { firstName: 'Kim', lastName: 'Sanders', webAccess: false });
    for (const [raw, message] of [
      ['0884%00800900', 'onzichtbare stuurtekens'],
      ['0884%FF800900', 'geen geldige UTF-8'],
    ] as const) {
      const csrf = csrfFrom((await agent.get(`/contacts/${c.id}/edit`)).text);
      const res = await sendRaw(
        agent,
        `/contacts/${c.id}/edit`,
        FORM,
        encoded({ _csrf: csrf, ...contactFields('1') }, { phone: raw }),
      );
      expect(res.status, raw).toBe(422);
      expect(visibleText(res.text)).toContain(message);
      expect(res.text).toContain('value="Breukers"');
      expect(res.text).toContain('value="Pantheon 2"');
      const saved = await db.prisma.contact.findUniqueOrThrow({ where: { id: c.id } });
      expect(saved).toMatchObject({ lastName: 'Sanders', version: 1 });
    }
  });
});

describe('profile', () => {
  it('a NUL or broken UTF-8 in the city: 422 with the message, the other values kept, nothing saved', async () => {
    const { agent, p } = await loggedIn(['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA']);
    for (const [raw, message] of [
      ['Ensch%00ede', 'onzichtbare stuurtekens'],
      ['Ensch%C3ede', 'geen geldige UTF-8'],
    ] as const) {
      const html = (await agent.get('/profile/edit')).text;
      const version = /name="version" value="(\d+)"/.exec(html)![1]!;
      const res = await sendRaw(
        agent,
        '/profile/edit',
        FORM,
        encoded(
          {
            _csrf: csrfFrom(html),
            version,
            firstName: 'Jan',
            lastName: 'Jansen',
            email: p.email!,
            phone: '053 1234567',
            privateStreet: 'Hengelosestraat 1',
            privateCountry: 'Nederland',
            gender: '',
          },
          { privateCity: raw },
        ),
      );
      expect(res.status, raw).toBe(422);
      expect(visibleText(res.text)).toContain(message);
      expect(res.text).toContain('value="053 1234567"');
      expect(res.text).toContain('value="Hengelosestraat 1"');
      const saved = await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } });
      expect(saved.phone).toBeNull();
      expect(saved.version).toBe(1);
    }
  });

  it('a form that does not show itself again keeps the 400 page, and nothing changes', async () => {
    const { agent, p } = await loggedIn(['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA']);
    const html = (await agent.get('/profile/notifications')).text;
    const res = await sendRaw(
      agent,
      '/profile/notifications',
      FORM,
      encoded({ _csrf: csrfFrom(html), kinds: 'ticket' }, { language: 'e%00n' }),
    );
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('onzichtbare stuurtekens');
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id } })).version).toBe(1);
  });
});

describe('verdict (the page the mail of a resolved ticket links to)', () => {
  it('a NUL in the comment: 422 with the message, the chosen score and the comment kept, no verdict', async () => {
    const p = await makePerson(db.prisma, orgId);
    const ticket = await db.prisma.ticket.create({
      data: {
        organizationId: orgId,
        reporterId: p.id,
        title: 'Opgelost',
        status: 'RESOLVED',
        helpdesk: 'Support Vtel',
        channel: 'PHONE',
        reportedAt: new Date('2026-01-01T09:00:00Z'),
        resolvedAt: new Date(),
      },
    });
    const path = `/mail/verdict/${verdictToken(config.tickets.linkSecret, ticket.id, p.id)}`;
    const agent = client(app);
    const csrf = csrfFrom((await agent.get(`${path}?score=4`)).text);
    const res = await sendRaw(agent, path, FORM, encoded({ _csrf: csrf, score: '4' }, { comment: 'Snel%00geholpen' }));
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('onzichtbare stuurtekens');
    expect(res.text).toContain('Snelgeholpen</textarea>');
    expect(await db.prisma.ticketVerdict.count({ where: { ticketId: ticket.id } })).toBe(0);
  });
});

describe('login, forgotten password and a new password (the forms before a session)', () => {
  it('a NUL in the address at login: 422 with the message and the address kept; nobody is logged in', async () => {
    const p = await makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS'] });
    const agent = client(app);
    const html = (await agent.get('/login')).text;
    const [local, domain] = p.email!.split('@') as [string, string];
    const res = await sendRaw(
      agent,
      '/login',
      FORM,
      encoded({ _csrf: csrfFrom(html), password: PASSWORD }, { username: `${local}%00@${domain}` }),
    );
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('onzichtbare stuurtekens');
    expect(res.text).toContain(`value="${p.email!}"`);
    expect((await agent.get('/')).status).toBe(302);
  });

  it('broken UTF-8 in the address of "wachtwoord vergeten": 422 with the message, the address kept, no mail', async () => {
    const agent = client(app);
    const html = (await agent.get('/password/forgot')).text;
    const before = await db.prisma.mailOutbox.count();
    const res = await sendRaw(
      agent,
      '/password/forgot',
      FORM,
      encoded({ _csrf: csrfFrom(html) }, { email: 'an%FFna@example.nl' }),
    );
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('geen geldige UTF-8');
    expect(res.text).toMatch(/value="an.na@example\.nl"/);
    expect(await db.prisma.mailOutbox.count()).toBe(before);
  });

  it('a NUL in a new password: 422 with the message beside it, the password unchanged and the link still usable', async () => {
    const p = await makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS'] });
    const raw = await createPasswordToken(db.prisma, p.id, 'RESET', clock.now());
    const agent = client(app);
    const html = (await agent.get(`/password/reset/${raw}`)).text;
    const res = await sendRaw(
      agent,
      `/password/reset/${raw}`,
      FORM,
      encoded({ _csrf: csrfFrom(html), confirm: 'Nieuw-wachtwoord-2027' }, { password: 'Nieuw-wachtwoord%002027' }),
    );
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('onzichtbare stuurtekens');
    expect((await logIn(client(app), p.email!, PASSWORD)).status).toBe(302);
    expect((await client(app).get(`/password/reset/${raw}`)).status).toBe(200);
  });
});
