import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText, type TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { listRoutes } from '../support/routes.js';
import { totpCode } from '../../src/auth/totp.js';
import { runCli } from '../../src/cli/program.js';

let db: TestDb;
let app: Express;
let clock: TestClock;

beforeAll(async () => {
  db = await createTestDb();
  ({ app, clock } = testApp(db));
});
afterAll(() => db.drop());

async function run(...argv: string[]) {
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
}

const required = async (id: number) =>
  (await db.prisma.organization.findUniqueOrThrow({ where: { id } })).twoFactorRequired;

describe('requiring two-step login on the Organisatie page', () => {
  it('"Contactpersonen beheren" with "Rollen toekennen" switches it on and off, audited; without both there is no switch and a POST is refused', async () => {
    const org = await makeOrg(db.prisma);
    const daughter = await makeOrg(db.prisma, { parentId: org.id });
    const admin = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'VIEW_ORGANIZATION', 'MANAGE_CONTACTS', 'ASSIGN_ROLES', 'SUBSIDIARY_ACCESS'],
    });
    const viewer = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'VIEW_ORGANIZATION', 'MANAGE_CONTACTS'],
    });
    const a = client(app);
    await logIn(a, admin.email!, PASSWORD);
    // Both log in before it is required (a session that was already open goes on).
    const v = client(app);
    await logIn(v, viewer.email!, PASSWORD);
    const page = await a.get(`/organisations/${org.id}`);
    // The state, then the offer to end password-only sessions (issue 19), then the button.
    expect(visibleText(page.text)).toContain(
      'Niet verplicht: ieder kiest zelf op de pagina Beveiliging. ' +
        'Ook iedereen uitloggen die nu zonder tweede stap is ingelogd (uw eigen sessie blijft) ' +
        'Inloggen in twee stappen verplicht maken',
    );
    const on = await a
      .post(`/organisations/${org.id}/two-step`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), required: 'on' });
    expect(on.headers.location).toBe(`/organisations/${org.id}`);
    expect(await required(org.id)).toBe(true);
    expect(visibleText((await a.get(`/organisations/${org.id}`)).text)).toContain(
      'Verplicht voor iedereen van deze organisatie en haar dochterorganisaties.',
    );
    // The subsidiary is covered by its parent: it says so, and offers no switch that would change nothing.
    const sub = visibleText((await a.get(`/organisations/${daughter.id}`)).text);
    expect(sub).toContain('Verplicht: een bovenliggende organisatie vereist het voor al haar dochterorganisaties.');
    expect(sub).not.toContain('verplicht maken');
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'organization.two_factor_required_changed', organizationId: org.id },
    });
    expect(audit).toMatchObject({
      actorId: admin.id,
      before: { twoFactorRequired: false },
      after: { twoFactorRequired: true },
    });

    const vPage = await v.get(`/organisations/${org.id}`);
    expect(visibleText(vPage.text)).not.toContain('verplicht maken');
    const refused = await v
      .post(`/organisations/${org.id}/two-step`)
      .type('form')
      .send({ _csrf: csrfFrom(vPage.text), required: 'off' });
    expect(refused.status).toBe(403);
    expect(await required(org.id)).toBe(true);

    // Another customer's organisation does not exist for this admin.
    const other = await makeOrg(db.prisma);
    const outside = await a
      .post(`/organisations/${other.id}/two-step`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), required: 'on' });
    expect(outside.status).toBe(404);
    expect(await required(other.id)).toBe(false);
  });

  it('org:require-2fa ID on|off, audited and reported to webhooks as organization.changed; bad input is refused', async () => {
    const org = await makeOrg(db.prisma);
    const endpoint = await db.prisma.webhookEndpoint.create({
      data: { url: 'https://crm.example.nl/hook', events: ['organization.changed'], secret: 'x', createdBy: 'test' },
    });
    expect((await run('org:require-2fa', String(org.id), 'on')).out[0]).toContain('now requires two-step login');
    expect(await required(org.id)).toBe(true);
    expect((await run('org:require-2fa', String(org.id), 'on')).out[0]).toContain('already requires');
    expect((await run('org:require-2fa', String(org.id), 'off')).out[0]).toContain('no longer requires');
    expect(await required(org.id)).toBe(false);
    expect(
      await db.prisma.auditEvent.count({
        where: {
          kind: 'organization.two_factor_required_changed',
          organizationId: org.id,
          actorLabel: { startsWith: 'staff:' },
        },
      }),
    ).toBe(2);
    const events = await db.prisma.webhookEvent.findMany({
      where: { deliveries: { some: { endpointId: endpoint.id } } },
      orderBy: { id: 'asc' },
    });
    expect(
      events.map((e) => [e.type, (e.payload as { data: { change: string; id: string; after: unknown } }).data]),
    ).toEqual([
      [
        'organization.changed',
        expect.objectContaining({
          change: 'organization.two_factor_required_changed',
          id: String(org.id),
          after: { twoFactorRequired: true },
        }),
      ],
      [
        'organization.changed',
        expect.objectContaining({
          change: 'organization.two_factor_required_changed',
          id: String(org.id),
          after: { twoFactorRequired: false },
        }),
      ],
    ]);
    await db.prisma.webhookEndpoint.delete({ where: { id: endpoint.id } });
    for (const [argv, field] of [
      [['org:require-2fa', String(org.id), 'maybe'], '<state>'],
      [['org:require-2fa', '999999', 'on'], '<id>'],
    ] as const) {
      const r = await run(...argv);
      expect(r.code).toBe(1);
      expect(r.err[0]).toContain(field);
    }
    expect(await required(org.id)).toBe(false);
  });
});

describe('a person of a requiring organisation without a second step', () => {
  it('is led through setting up the app right after the password, and reaches no page before that', async () => {
    const parent = await makeOrg(db.prisma);
    const sub = await makeOrg(db.prisma, { parentId: parent.id });
    await run('org:require-2fa', String(parent.id), 'on');
    const p = await makePerson(db.prisma, sub.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA', 'VIEW_INVOICES'],
    });
    const agent = client(app);
    const login = await agent.get('/login?returnTo=%2Finvoices');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), username: p.email, password: PASSWORD, returnTo: '/invoices' });
    expect(res.headers.location).toBe('/login/second-step');
    const setup = await agent.get('/login/second-step');
    expect(setup.status).toBe(200);
    expect(visibleText(setup.text)).toContain('Uw organisatie vereist inloggen in twee stappen.');
    for (const s of [p.lastName, p.firstName!]) expect(setup.text).not.toContain(s);

    for (const r of listRoutes(app).filter((x) => x.access !== 'PUBLIC')) {
      const url = r.path.replace(/:(\w+)/g, (_m, name: string) => (name === 'handle' ? '0'.repeat(32) : String(p.id)));
      const g =
        r.method === 'GET'
          ? await agent.get(url)
          : await agent
              .post(url)
              .type('form')
              .send({ _csrf: csrfFrom(setup.text) });
      if (r.method === 'GET') expect(g.headers.location, `GET ${url}`).toMatch(/^\/login\?returnTo=/);
      else expect([401, 403], `POST ${url}`).toContain(g.status);
    }
    // The code form of the ordinary second step does not skip the set-up.
    const skip = await agent
      .post('/login/second-step')
      .type('form')
      .send({ _csrf: csrfFrom(setup.text), code: '123456' });
    expect(skip.headers.location).toBe('/login');

    const login2 = await agent.get('/login?returnTo=%2Finvoices');
    await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(login2.text), username: p.email, password: PASSWORD, returnTo: '/invoices' });
    const again = await agent.get('/login/second-step');
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(again.text)![1]!.replace(/ /g, '');
    const done = await agent
      .post('/login/second-step/setup')
      .type('form')
      .send({ _csrf: csrfFrom(again.text), code: totpCode(secret, clock.now()) });
    expect(done.status).toBe(200);
    expect(visibleText(done.text)).toContain('Uw herstelcodes');
    expect(done.text).toContain('href="/invoices"');
    expect((await agent.get('/invoices')).status).toBe(200);
    expect((await db.prisma.totpSecret.findUniqueOrThrow({ where: { contactId: p.id } })).confirmedAt).not.toBeNull();
    expect(await db.prisma.recoveryCode.count({ where: { contactId: p.id } })).toBe(10);

    // From now on the person logs in with the code.
    clock.advance(30_000);
    const next = client(app);
    await logIn(next, p.email!, PASSWORD);
    const step = await next.get('/login/second-step');
    expect(visibleText(step.text)).toContain('Vul de code van zes cijfers uit uw authenticator-app in');
  });

  it("a contact manager resets a colleague's set-up: the colleague sets it up again at the next login; audited and mailed", async () => {
    const org = await makeOrg(db.prisma);
    const manager = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS'] });
    const colleague = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'] });
    await db.prisma.totpSecret.create({
      data: { contactId: colleague.id, secretEncrypted: 'v1.x.y.z', confirmedAt: new Date() },
    });
    await db.prisma.recoveryCode.create({ data: { contactId: colleague.id, codeHash: 'h' } });
    const m = client(app);
    await logIn(m, manager.email!, PASSWORD);
    await run('org:require-2fa', String(org.id), 'on');
    const page = await m.get(`/contacts/${colleague.id}`);
    expect(page.headers.location).toBe(undefined);
    expect(visibleText(page.text)).toContain('Inloggen in twee stappen Ingesteld. Twee stappen terugzetten');
    // The first click only opens a page that names what goes; nothing changes yet.
    expect(page.text).not.toMatch(/<form[^>]*two-step\/reset/);
    expect(page.text).toContain(`<a href="/contacts/${colleague.id}/two-step/reset">Twee stappen terugzetten</a>`);
    const ask = await m.get(`/contacts/${colleague.id}/two-step/reset`);
    expect(ask.status).toBe(200);
    const asked = visibleText(ask.text);
    expect(asked).toContain('Weet u zeker dat u het inloggen in twee stappen van');
    expect(asked).toContain('de authenticator-app alle herstelcodes');
    expect(asked).toContain('Dit kunt u niet ongedaan maken.');
    expect(ask.text).toMatch(/<form method="post" action="\/contacts\/\d+\/two-step\/reset">/);
    expect(await db.prisma.totpSecret.count({ where: { contactId: colleague.id } })).toBe(1);
    expect(await db.prisma.recoveryCode.count({ where: { contactId: colleague.id } })).toBe(1);
    expect(
      await db.prisma.auditEvent.count({ where: { kind: 'contact.two_step_reset', subjectId: String(colleague.id) } }),
    ).toBe(0);
    // Confirming does it.
    const res = await m
      .post(`/contacts/${colleague.id}/two-step/reset`)
      .type('form')
      .send({ _csrf: csrfFrom(ask.text) });
    expect(res.status).toBe(302);
    expect(await db.prisma.totpSecret.count({ where: { contactId: colleague.id } })).toBe(0);
    expect(await db.prisma.recoveryCode.count({ where: { contactId: colleague.id } })).toBe(0);
    expect(
      await db.prisma.auditEvent.count({
        where: { kind: 'contact.two_step_reset', subjectId: String(colleague.id), actorId: manager.id },
      }),
    ).toBe(1);
    const mail = await db.prisma.mailOutbox.findFirstOrThrow({
      where: { recipient: colleague.email!, subject: 'Uw beveiliging is gewijzigd' },
    });
    expect(mail.text).toContain('Bij de volgende keer inloggen stelt u het opnieuw in.');
    const c = client(app);
    await logIn(c, colleague.email!, PASSWORD);
    expect(visibleText((await c.get('/login/second-step')).text)).toContain('Stel inloggen in twee stappen in');
  });
});
