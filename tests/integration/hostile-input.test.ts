import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { runCli } from '../../src/cli/program.js';

let db: TestDb;
let app: Express;
let settle: () => Promise<void>;
let agent: ReturnType<typeof client>;
let csrf: string;
let orgId: number;

beforeAll(async () => {
  db = await createTestDb();
  ({ app, settle } = testApp(db));
  const org = await makeOrg(db.prisma);
  orgId = org.id;
  const person = await makePerson(db.prisma, org.id, {
    roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS', 'MANAGE_CONTACTS'],
  });
  agent = client(app);
  expect((await logIn(agent, person.email!, PASSWORD)).status).toBe(302);
  csrf = csrfFrom((await agent.get('/tickets/new')).text);
});
afterAll(() => db.drop());

const tickets = () => db.prisma.ticket.count();
const ticketForm = (over: Record<string, string>) => ({
  _csrf: csrf,
  organizationId: String(orgId),
  title: 'Printer',
  description: '',
  customerReference: '',
  alternativePhone: '',
  kind: '',
  ...over,
});

describe('control characters', () => {
  // Issue 19: no longer a bare 400 page; the form comes back with the message and the other values.
  it('a NUL or ESC in a form field shows the form again (422) with the message in Dutch, and nothing is saved', async () => {
    const before = await tickets();
    for (const bad of [
      { title: 'Printer\u0000kapot', customerReference: 'PO-77' },
      { description: 'regel 1\n\u001b[31mrood', customerReference: 'PO-77' },
      { title: 'a\u0085b', customerReference: 'PO-77' },
    ] as Record<string, string>[]) {
      const res = await agent.post('/tickets/new').type('form').send(ticketForm(bad));
      expect(res.status, JSON.stringify(bad)).toBe(422);
      expect(visibleText(res.text)).toContain('onzichtbare stuurtekens');
      expect(res.text).toContain('value="PO-77"');
    }
    expect(await tickets()).toBe(before);
  });

  it('tab and line breaks stay in a multi-line field and become a space in a single-line one', async () => {
    const res = await agent
      .post('/tickets/new')
      .type('form')
      .send(ticketForm({ title: 'Printer\tkapot\r\nsinds gisteren', description: 'Regel 1\r\n\tRegel 2' }));
    expect(res.status).toBe(302);
    const t = await db.prisma.ticket.findFirstOrThrow({ orderBy: { id: 'desc' } });
    expect(t.title).toBe('Printer kapot sinds gisteren');
    expect(t.description).toBe('Regel 1\r\n\tRegel 2');
  });

  it('a control character in a query or path parameter is a 400, in the language asked for', async () => {
    expect((await agent.get('/contacts?q=a%00b')).status).toBe(400);
    expect((await agent.get('/contacts?q=a%0Ab')).status).toBe(400);
    const en = await agent.get('/contacts/%1B').set('Accept-Language', 'en');
    expect(en.status).toBe(400);
    expect(visibleText(en.text)).toContain('invisible control characters');
  });
});

describe('control characters in a form with files (multipart: the edge does not parse it)', () => {
  const multipart = (fields: Record<string, string>) => {
    let req = agent.post('/tickets/new').field('_csrf', csrf);
    for (const [k, v] of Object.entries({
      organizationId: String(orgId),
      title: 'Printer',
      description: '',
      ...fields,
    }))
      req = req.field(k, v);
    return req.attach('files', Buffer.from('regel 1\nregel 2\n'), 'log.txt');
  };

  // Issue 19: the form comes back as with any refusal: the message, the other values, the file kept pending.
  it('a NUL or ESC in a field shows the form again (422) as in a plain form; no ticket, the file waits as a pending upload', async () => {
    const before = await tickets();
    for (const bad of [
      { title: 'Printer\u0000kapot', customerReference: 'PO-78' },
      { description: 'regel 1\n\u001b[31mrood', customerReference: 'PO-78' },
      { title: 'a\u0085b', customerReference: 'PO-78' },
    ] as Record<string, string>[]) {
      const res = await multipart(bad);
      expect(res.status, JSON.stringify(bad)).toBe(422);
      expect(visibleText(res.text)).toContain('onzichtbare stuurtekens');
      expect(res.text).toContain('value="PO-78"');
      expect(visibleText(res.text)).toContain('log.txt');
    }
    expect(await tickets()).toBe(before);
    expect(await db.prisma.ticketAttachment.count({ where: { ticketId: null, fileName: 'log.txt' } })).toBe(3);
    await db.prisma.ticketAttachment.deleteMany({ where: { ticketId: null } });
  });

  it('tab and line breaks stay in a multi-line field and become a space in a single-line one', async () => {
    const res = await multipart({ title: 'Printer\tkapot\r\nsinds gisteren', description: 'Regel 1\r\n\tRegel 2' });
    expect(res.status).toBe(302);
    const t = await db.prisma.ticket.findFirstOrThrow({ orderBy: { id: 'desc' } });
    expect(t.title).toBe('Printer kapot sinds gisteren');
    expect(t.description).toBe('Regel 1\r\n\tRegel 2');
    expect(await db.prisma.ticketAttachment.count({ where: { ticketId: t.id } })).toBe(1);
  });
});

describe('malformed encoding', () => {
  it('broken percent-encoding or invalid UTF-8 in the URL is a 400 page, never a 5xx', async () => {
    for (const url of [
      '/contacts?q=%E0%A4%A',
      '/contacts?q=%FF',
      '/tickets?q=%ED%A0%80',
      '/contacts/%E0%A4%A',
      '/invoices?from=%C0%AF',
      '/%',
    ]) {
      const res = await agent.get(url);
      expect(res.status, url).toBe(400);
      expect(visibleText(res.text), url).toContain('niet goed gecodeerd');
    }
  });

  // Issue 19: a broken value shows the form again (422) with the message; a broken field name stays a 400.
  it('a form value with broken encoding or raw invalid UTF-8 shows the form again (422) and saves nothing', async () => {
    const before = await tickets();
    const base = `_csrf=${encodeURIComponent(csrf)}&organizationId=${orgId}&kind=&description=&customerReference=PO-79&alternativePhone=`;
    for (const title of ['%E0%A4%A', '%ED%A0%80']) {
      const res = await agent.post('/tickets/new').type('form').send(`${base}&title=${title}`);
      expect(res.status, title).toBe(422);
      expect(visibleText(res.text)).toContain('geen geldige UTF-8');
      expect(res.text).toContain('value="PO-79"');
    }
    const raw = Buffer.concat([Buffer.from(`${base}&title=`), Buffer.from([0xff, 0xfe, 0x41])]);
    const res = await agent
      .post('/tickets/new')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .serialize(((b: Buffer) => b) as unknown as (obj: unknown) => string)
      .send(raw);
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('geen geldige UTF-8');
    expect((await agent.post('/tickets/new').type('form').send(`${base}&ti%FFtle=x`)).status).toBe(400);
    expect(await tickets()).toBe(before);
  });

  it('a damaged device or session cookie is a 400 that clears the cookie, not a 500', async () => {
    const page = await client(app).get('/login');
    const token = csrfFrom(page.text);
    const session = String(page.headers['set-cookie']).split(';')[0]!;
    const res = await client(app)
      .post('/login')
      .set('Cookie', `${session}; pim_device=%E0%A4%A`)
      .type('form')
      .send({ _csrf: token, username: 'iemand@example.nl', password: 'x' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('beschadigde cookie');
    expect(String(res.headers['set-cookie'])).toMatch(/pim_device=;.*Expires=Thu, 01 Jan 1970/);
    const sid = await client(app).get('/').set('Cookie', 'pim.sid=s%3A%ZZ');
    expect(sid.status).toBe(400);
  });

  it('a damaged browser cookie (new-login mail) at a correct login is a 400 that clears it, logs nobody in and mails nothing', async () => {
    const person = await makePerson(db.prisma, orgId);
    const page = await client(app).get('/login');
    const session = String(page.headers['set-cookie']).split(';')[0]!;
    const mailsBefore = await db.prisma.mailOutbox.count();
    const res = await client(app)
      .post('/login')
      .set('Cookie', `${session}; pim_browser=%E0%A4%A`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), username: person.email!, password: PASSWORD });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('beschadigde cookie');
    expect(String(res.headers['set-cookie'])).toMatch(/pim_browser=;.*Expires=Thu, 01 Jan 1970/);
    expect(
      await db.pool.query('SELECT 1 FROM session WHERE contact_id = $1', [person.id]).then((r) => r.rowCount),
    ).toBe(0);
    expect(await db.prisma.mailOutbox.count()).toBe(mailsBefore);
  });
});

describe('lengths and throttles', () => {
  it('a login name of thousands of characters is a failed attempt that counts, and locks like any other', async () => {
    // Random letters: a repeated one would compress below PostgreSQL's index-row limit.
    const long = `a${randomBytes(4000).toString('hex')}@example.nl`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await logIn(client(app), long, 'wrong password');
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    // Counted on the name's first 254 characters: the key fits PostgreSQL's index.
    const rows = await db.prisma.loginThrottle.findMany({
      where: { key: { startsWith: `acctip:${long.slice(0, 254)}|` } },
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.lockedUntil).not.toBeNull();
  });

  it('the reset form refuses an overlong address up front (422 with the form), and sends nothing', async () => {
    const mails = await db.prisma.mailOutbox.count();
    const res = await (async () => {
      const c = client(app);
      const page = await c.get('/password/forgot');
      expect(page.text).toContain('maxlength="254"');
      return c
        .post('/password/forgot')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), email: `${'b'.repeat(3000)}@example.nl` });
    })();
    await settle();
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('Vul een geldig e-mailadres in');
    expect(await db.prisma.mailOutbox.count()).toBe(mails);
  });

  it('refused login and reset requests count on the client address', async () => {
    await db.prisma.loginThrottle.deleteMany({});
    for (let i = 0; i < 3; i++) {
      const c = client(app);
      const token = csrfFrom((await c.get('/login')).text);
      expect(
        (
          await c
            .post('/login')
            .type('form')
            .send(`_csrf=${encodeURIComponent(token)}&username=%00&password=x`)
        ).status,
      ).toBe(422); // the login form again (issue 19: bad input keeps the person's work), still counted
    }
    const c = client(app);
    const token = csrfFrom((await c.get('/password/forgot')).text);
    expect(
      (
        await c
          .post('/password/forgot')
          .type('form')
          .send(`_csrf=${encodeURIComponent(token)}&email=%E0%A4%A`)
      ).status,
    ).toBe(422); // the form again with the address as read, counted once
    const rows = await db.prisma.loginThrottle.findMany({ orderBy: { key: 'asc' } });
    expect(rows.map((r) => [r.key.replace(/:.*/, ''), r.failures])).toEqual([
      ['ip', 3],
      ['resetip', 1],
    ]);
  });
});

describe('the staff tool', () => {
  const pim = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      prisma: db.prisma,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      now: () => new Date(),
      baseUrl: 'http://pim.test',
    });
    return { code, out, err };
  };

  it('refuses an argument with a control character, and writes nothing', async () => {
    const before = await db.prisma.faqEntry.count();
    const res = await pim('faq:add', '--question', 'Waarom\u001b[2J?', '--answer', 'Daarom');
    expect(res).toMatchObject({ code: 1, err: ['error: argument 3 holds a control character; PIM stores none'] });
    expect(await db.prisma.faqEntry.count()).toBe(before);
  });

  it('prints stored text with control characters as visible escapes, never raw to the terminal', async () => {
    const t = await db.prisma.ticket.create({
      data: {
        organizationId: orgId,
        title: 'Oud\u001b[31mrood',
        status: 'NEW',
        helpdesk: 'Support Vtel',
        channel: 'PHONE',
        reportedAt: new Date(),
        deadline: new Date(),
      },
    });
    const res = await pim('ticket:show', String(t.id));
    expect(res.code).toBe(0);
    expect(res.out.join('\n')).toContain('Oud\\u{1b}[31mrood');
    expect(res.out.join('\n')).not.toContain('\u001b');
  });
});
