import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { storedBytes } from '../support/invoices-factories.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { runCli } from '../../src/cli/program.js';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { hashToken } from '../../src/auth/tokens.js';
import { ROLES } from '../../src/auth/roles.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.drop());

const NOW = new Date('2026-03-02T10:00:00.000Z');
const BASE_URL = 'https://pim.example.test';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    prisma: db.prisma,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => NOW,
    baseUrl: BASE_URL,
  });
  return { code, out, err };
}

/** Row counts of everything a command could write. */
async function counts() {
  const p = db.prisma;
  const [orgs, contacts, roles, activations, announcements, tokens, mails, audits, mains] = await Promise.all([
    p.organization.count(),
    p.contact.count(),
    p.contactRole.count(),
    p.applicationActivation.count(),
    p.announcement.count(),
    p.passwordToken.count(),
    p.mailOutbox.count(),
    p.auditEvent.count(),
    p.organization.findMany({ select: { id: true, mainContactId: true }, orderBy: { id: 'asc' } }),
  ]);
  return { orgs, contacts, roles, activations, announcements, tokens, mails, audits, mains };
}

/** Runs a command that must be refused: exit code 1, one error line naming `field`, nothing written. */
async function expectRefused(field: string, argv: string[], message?: RegExp) {
  const before = await counts();
  const r = await run(...argv);
  expect(r.code).toBe(1);
  expect(r.out).toEqual([]);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]).toMatch(/^error: /);
  expect(r.err[0]).toContain(field);
  if (message) expect(r.err[0]).toMatch(message);
  expect(await counts()).toEqual(before);
  return r.err[0]!;
}

async function demoOrg() {
  return db.prisma.organization.findFirstOrThrow({ where: { name: 'Demo Pim (Persoonlijke Informatie Manager)' } });
}
async function contactByEmail(email: string) {
  return db.prisma.contact.findUniqueOrThrow({ where: { email } });
}

describe('seed:demo', () => {
  it("loads the manual's demo into an empty database", async () => {
    const r = await run('seed:demo');
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out).toEqual([
      `demo data loaded: log in at ${BASE_URL}/login as j.jansen@vtel.nl with password ${DEMO_PASSWORD}`,
    ]);

    const p = db.prisma;
    expect(await p.organization.count()).toBe(2);
    expect(await p.contact.count()).toBe(7);
    expect(await p.invoice.count()).toBe(8);
    expect(await p.invoiceLine.count()).toBe(8);
    expect(await p.document.count({ where: { kind: 'MANUAL', organizationId: null } })).toBe(4);
    expect(await p.document.count({ where: { kind: 'REPORT' } })).toBe(4);
    expect(await p.ticket.count()).toBe(4);
    expect(await p.application.count()).toBe(7);
    expect(await p.announcement.count()).toBe(1);

    const org = await demoOrg();
    const jan = await contactByEmail('j.jansen@vtel.nl');
    expect(org).toMatchObject({
      postalStreet: 'Pantheon 2',
      postalPostcode: '7521 PR',
      postalCity: 'Enschede',
      visitCountry: 'Nederland',
      phone: '0884800900',
      fax: '0884800909',
      email: 'support@vtel.nl',
      reportsInContract: true,
      mainContactId: jan.id,
      parentId: null,
    });
    const sub = await p.organization.findFirstOrThrow({ where: { parentId: org.id } });
    expect(sub.name).toBe('Demo Pim (Persoonlijke Informatie Manager) Dochter');
    expect(await p.contact.count({ where: { organizationId: sub.id } })).toBe(1);

    expect(jan).toMatchObject({
      firstName: 'Jan',
      initials: 'J',
      mobile: '0623123454',
      webAccess: true,
      gender: 'MALE',
    });
    expect([jan.subscribeUpdate, jan.subscribeCare, jan.subscribeBusiness, jan.subscribeFlash]).toEqual([
      true,
      false,
      true,
      true,
    ]);
    expect(await verifyPassword(jan.passwordHash, DEMO_PASSWORD)).toBe(true);
    expect(await p.contactRole.count({ where: { contactId: jan.id } })).toBe(ROLES.length);
    expect(await p.applicationActivation.count({ where: { contactId: jan.id } })).toBe(7);

    const lisa = await contactByEmail('l.devries@vtel.nl');
    expect(lisa).toMatchObject({
      firstName: 'Lisa',
      infix: 'de',
      lastName: 'Vries',
      gender: 'FEMALE',
      webAccess: true,
      passwordHash: null,
    });
    const lisaRoles = await p.contactRole.findMany({ where: { contactId: lisa.id }, select: { role: true } });
    expect(lisaRoles.map((r) => r.role).sort()).toEqual([
      'MANAGE_OWN_TICKETS',
      'MANAGE_PERSONAL_DATA',
      'PORTAL_ACCESS',
      'VIEW_MANUALS',
    ]);
    const lisaApps = await p.applicationActivation.findMany({
      where: { contactId: lisa.id },
      select: { application: { select: { code: true } } },
    });
    expect(lisaApps.map((a) => a.application.code).sort()).toEqual(['OPERATOR', 'WALLDISPLAY']);
    expect((await contactByEmail('h.bakker@vtel.nl')).mobile).toBe('0622334455');

    const invoices = await p.invoice.findMany({ orderBy: { number: 'asc' } });
    expect(invoices.map((i) => i.number)).toEqual([105000, 105001, 105002, 105003, 105004, 105005, 105006, 105035]);
    expect(invoices[7]!.title).toBe('Test Maandfactuur augustus 2017');
    // Dated relative to the day of loading (2-3-2026): the manual's 6-7-2017 was 11 days before its 17-7-2017.
    expect(invoices.every((i) => i.invoiceDate.toISOString() === '2026-02-19T00:00:00.000Z')).toBe(true);
    expect(invoices.every((i) => i.amountExclVat.toString() === '0' && i.organizationName === org.name)).toBe(true);

    const docs = await p.document.findMany({ orderBy: { id: 'asc' } });
    expect(docs.map((d) => d.fileName)).toContain('Scheduler Handleiding_1.0.pdf');
    expect(
      docs.filter((d) => d.kind === 'REPORT').map((d) => [d.fileName, d.documentDate.toISOString().slice(0, 10)]),
    ).toEqual([
      ['week6 Patienten vanaf 02-02-2026.pdf', '2026-02-09'],
      ['week7 Patienten vanaf 09-02-2026.pdf', '2026-02-16'],
      ['week8 Patienten vanaf 16-02-2026.pdf', '2026-02-23'],
      ['week9 Patienten vanaf 23-02-2026.pdf', '2026-03-02'],
    ]);
    for (const doc of docs) {
      const content = (await storedBytes(db.prisma, doc.storageKey))!;
      expect(content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(doc.size).toBe(content.length);
      expect(doc.contentType).toBe('application/pdf');
    }
    const snom = docs.find((d) => d.fileName === 'Snom Toestellen.pdf')!;
    expect(snom.documentDate.toISOString()).toBe('2026-02-02T00:00:00.000Z');

    const t9969 = await p.ticket.findUniqueOrThrow({ where: { id: 9969 } });
    expect(t9969).toMatchObject({
      status: 'IN_PROGRESS',
      kind: 'INCIDENT',
      channel: 'PHONE',
      reporterId: lisa.id,
      helpdesk: 'Support Vtel',
    });
    expect(t9969.reportedAt.toISOString()).toBe('2026-02-26T10:05:00.000Z'); // 11:05 in Amsterdam, as in the manual
    expect(t9969.deadline!.toISOString()).toBe('2026-02-27T00:00:00.000Z');
    const t9868 = await p.ticket.findUniqueOrThrow({ where: { id: 9868 } });
    expect(t9868).toMatchObject({ status: 'NEW', application: 'Vcloud', module: 'Vcare', reporterId: jan.id });
    expect(t9868.reportedAt.toISOString()).toBe('2026-02-19T09:51:00.000Z');
    // New tickets continue after the demo's numbers, from 10000 on.
    const [seq] = await p.$queryRaw<Array<{ next: bigint }>>`SELECT nextval('tickets_id_seq') AS next`;
    expect(Number(seq!.next)).toBe(10000);

    const news = await p.announcement.findFirstOrThrow();
    expect(news).toMatchObject({
      kind: 'NEWS',
      titleNl: 'Aangepaste openingstijden',
      organizationId: null,
      expiresAt: null,
    });
    expect(news.publishedAt.toISOString()).toBe('2026-02-28T08:19:00.000Z');
    expect(news.bodyNl).toContain('Vcare is gesloten op maandag 25 mei 2026 (Pinksteren).');

    const apps = await p.application.findMany({ orderBy: { position: 'asc' } });
    expect(apps.map((a) => a.code)).toEqual([
      'OPERATOR',
      'WALLDISPLAY',
      'RECORDER',
      'SCHEDULER',
      'REPORTER',
      'PHARMA_REPEAT',
      'REDIRECT',
    ]);

    const audit = await p.auditEvent.findFirstOrThrow({ where: { kind: 'demo.seeded' } });
    expect(audit.actorLabel).toMatch(/^staff:/);
  });

  it('loads nothing the second time', async () => {
    const before = await counts();
    const r = await run('seed:demo');
    expect(r).toEqual({ code: 0, out: ['demo data not loaded: the database already has organisations'], err: [] });
    expect(await counts()).toEqual(before);
    expect(await db.prisma.invoice.count()).toBe(8);
  });
});

describe('help', () => {
  it('lists the commands and exits 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    for (const cmd of [
      'seed:demo',
      'org:add',
      'org:list',
      'contact:add',
      'contact:invite',
      'app:activate',
      'app:deactivate',
      'news:add',
    ]) {
      expect(text).toContain(cmd);
    }
  });

  it("shows a command's options", async () => {
    const r = await run('contact:add', '--help');
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toContain('--last-name');
  });

  it('refuses an unknown command', async () => {
    const r = await run('org:remove');
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/unknown command 'org:remove'/);
  });
});

describe('org:add', () => {
  it('adds an organisation and records the change', async () => {
    const parent = await demoOrg();
    const r = await run(
      'org:add',
      '--name',
      'Huisartsenpost Twente',
      '--parent',
      String(parent.id),
      '--street',
      'Hengelosestraat 1',
      '--postcode',
      '7500 AA',
      '--city',
      'Enschede',
      '--country',
      'Nederland',
      '--phone',
      '053 123 45 67',
      '--email',
      'Info@HAP-Twente.nl',
      '--reports',
    );
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    const m = /^organisation (\d+) created: Huisartsenpost Twente$/.exec(r.out[0] ?? '');
    expect(m).not.toBeNull();
    const org = await db.prisma.organization.findUniqueOrThrow({ where: { id: Number(m![1]) } });
    expect(org).toMatchObject({
      parentId: parent.id,
      postalStreet: 'Hengelosestraat 1',
      visitStreet: 'Hengelosestraat 1',
      postalCity: 'Enschede',
      phone: '053 123 45 67',
      email: 'info@hap-twente.nl',
      reportsInContract: true,
      active: true,
    });
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'organization.created', subjectId: String(org.id) },
    });
    expect(audit.actorLabel).toMatch(/^staff:/);
    expect(audit.organizationId).toBe(org.id);
  });

  it('adds an organisation with only a name', async () => {
    const r = await run('org:add', '--name', 'Apotheek Zuid');
    expect(r.code).toBe(0);
    const org = await db.prisma.organization.findFirstOrThrow({ where: { name: 'Apotheek Zuid' } });
    expect(org).toMatchObject({ parentId: null, reportsInContract: false, postalStreet: null });
  });

  it('refuses bad input without writing anything', async () => {
    expect(await expectRefused('--email', ['org:add', '--name', 'X', '--email', 'not-an-address'])).toBe(
      'error: --email: not a valid e-mail address',
    );
    await expectRefused('--name', ['org:add']);
    await expectRefused('--name', ['org:add', '--name', '   '], /must not be empty/);
    await expectRefused('--parent', ['org:add', '--name', 'X', '--parent', '999999'], /no organisation with id 999999/);
    await expectRefused('--parent', ['org:add', '--name', 'X', '--parent', 'abc'], /positive whole number/);
    await expectRefused('--phone', ['org:add', '--name', 'X', '--phone', 'call me']);
    await expectRefused('--bogus', ['org:add', '--name', 'X', '--bogus']);
  });
});

describe('org:list', () => {
  it('lists every organisation tab-separated: id, name, parent id, active', async () => {
    const r = await run('org:list');
    expect(r.code).toBe(0);
    const orgs = await db.prisma.organization.findMany();
    expect(r.out).toHaveLength(orgs.length);
    const demo = await demoOrg();
    expect(r.out).toContain(`${demo.id}\tDemo Pim (Persoonlijke Informatie Manager)\t\tyes`);
    const sub = await db.prisma.organization.findFirstOrThrow({
      where: { parentId: demo.id, name: { endsWith: 'Dochter' } },
    });
    expect(r.out).toContain(`${sub.id}\tDemo Pim (Persoonlijke Informatie Manager) Dochter\t${demo.id}\tyes`);
    const names = r.out.map((l) => l.split('\t')[1]!);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('searches by name, case-insensitively', async () => {
    const r = await run('org:list', '--search', 'dochter');
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toContain('Demo Pim (Persoonlijke Informatie Manager) Dochter');
    expect((await run('org:list', '--search', 'nothing like this')).out).toEqual([]);
    // LIKE's wildcards are characters like any other: "%" finds a name with "%" in it, not every name.
    expect((await run('org:list', '--search', '%')).out).toEqual([]);
    expect((await run('org:list', '--search', 'Pim_(')).out).toEqual([]);
  });
});

describe('contact:add', () => {
  it('adds a contact with web access, roles and as main contact', async () => {
    const org = await db.prisma.organization.findFirstOrThrow({ where: { name: 'Apotheek Zuid' } });
    const r = await run(
      'contact:add',
      '--org',
      String(org.id),
      '--last-name',
      'Dijk',
      '--first-name',
      'Piet',
      '--initials',
      'P.',
      '--infix',
      'van',
      '--gender',
      'Male',
      '--email',
      ' P.vanDijk@Apotheek-Zuid.nl ',
      '--phone',
      '0201234567',
      '--mobile',
      '0612345678',
      '--main',
      '--web-access',
      '--role',
      'PORTAL_ACCESS',
      '--role',
      'view_invoices',
    );
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const m =
      /^contact (\d+) created: Piet van Dijk <p\.vandijk@apotheek-zuid\.nl> in organisation (\d+) \(main contact\)$/.exec(
        r.out[0] ?? '',
      );
    expect(m).not.toBeNull();
    const id = Number(m![1]);
    const c = await db.prisma.contact.findUniqueOrThrow({ where: { id }, include: { roles: true } });
    expect(c).toMatchObject({
      organizationId: org.id,
      firstName: 'Piet',
      infix: 'van',
      lastName: 'Dijk',
      initials: 'P.',
      gender: 'MALE',
      email: 'p.vandijk@apotheek-zuid.nl',
      phone: '0201234567',
      mobile: '0612345678',
      webAccess: true,
      passwordHash: null,
    });
    // Web access brings the basic roles (src/auth/web-access.ts) besides the roles asked for.
    expect(c.roles.map((x) => x.role).sort()).toEqual(['MANAGE_PERSONAL_DATA', 'PORTAL_ACCESS', 'VIEW_INVOICES']);
    expect((await db.prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).mainContactId).toBe(id);
    expect(await db.prisma.auditEvent.count({ where: { kind: 'contact.created', subjectId: String(id) } })).toBe(1);
    const mainEvent = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'organization.main_contact_set', subjectId: String(org.id) },
    });
    expect(mainEvent.before).toEqual({ mainContactId: null });
    expect(mainEvent.after).toEqual({ mainContactId: id });
  });

  it('replaces the main contact when another contact is added with --main', async () => {
    const org = await db.prisma.organization.findFirstOrThrow({ where: { name: 'Apotheek Zuid' } });
    const previous = org.mainContactId;
    const r = await run('contact:add', '--org', String(org.id), '--last-name', 'Smit', '--main');
    expect(r.code).toBe(0);
    const id = Number(/^contact (\d+) created: Smit in organisation/.exec(r.out[0] ?? '')![1]);
    expect((await db.prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).mainContactId).toBe(id);
    const event = await db.prisma.auditEvent.findFirstOrThrow({
      where: { kind: 'organization.main_contact_set', subjectId: String(org.id) },
      orderBy: { id: 'desc' },
    });
    expect(event.before).toEqual({ mainContactId: previous });
  });

  it('adds a contact with only a last name: no e-mail, no web access, no roles', async () => {
    const org = await demoOrg();
    const r = await run('contact:add', '--org', String(org.id), '--last-name', 'Zonder');
    expect(r.code).toBe(0);
    const c = await db.prisma.contact.findFirstOrThrow({ where: { lastName: 'Zonder' }, include: { roles: true } });
    expect(c).toMatchObject({ email: null, webAccess: false, gender: null, roles: [] });
    expect((await demoOrg()).mainContactId).toBe(org.mainContactId);
  });

  it('refuses bad input without writing anything', async () => {
    const org = await demoOrg();
    const jan = await contactByEmail('j.jansen@vtel.nl');
    const base = ['contact:add', '--org', String(org.id), '--last-name', 'Nieuw'];
    expect(await expectRefused('--email', [...base, '--email', 'J.Jansen@VTEL.nl'])).toBe(
      `error: --email: already used by contact ${jan.id}`,
    );
    expect(await expectRefused('--email', [...base, '--email', 'nieuw@'])).toBe(
      'error: --email: not a valid e-mail address',
    );
    await expectRefused(
      '--role',
      [...base, '--role', 'PORTAL_ACCESS', '--role', 'SUPERUSER'],
      /unknown role "SUPERUSER"/,
    );
    await expectRefused('--gender', [...base, '--gender', 'x'], /male, female or other/);
    await expectRefused('--web-access', [...base, '--web-access'], /needs --email/);
    await expectRefused(
      '--org',
      ['contact:add', '--org', '424242', '--last-name', 'Nieuw'],
      /no organisation with id 424242/,
    );
    await expectRefused('--org', ['contact:add', '--last-name', 'Nieuw']);
    await expectRefused('--last-name', ['contact:add', '--org', String(org.id)]);
    await expectRefused('--mobile', [...base, '--mobile', 'abc']);
  });
});

describe('contact:invite', () => {
  it('queues exactly one invitation mail with a password link to the contact', async () => {
    const lisa = await contactByEmail('l.devries@vtel.nl');
    const before = await counts();
    const r = await run('contact:invite', String(lisa.id));
    expect(r).toEqual({ code: 0, out: ['invitation queued for l.devries@vtel.nl'], err: [] });

    const mails = await db.prisma.mailOutbox.findMany();
    expect(mails).toHaveLength(before.mails + 1);
    const mail = mails.at(-1)!;
    expect(mail.recipient).toBe('l.devries@vtel.nl');
    expect(mail.subject).toBe('Uw toegang tot PIM');
    expect(mail.text).toContain('Beste Lisa de Vries,');
    expect(mail.text).toContain('72 uur');
    const link = new RegExp(`${BASE_URL.replace(/\./g, '\\.')}/password/reset/([A-Za-z0-9_-]{43})`).exec(mail.text);
    expect(link).not.toBeNull();

    const token = await db.prisma.passwordToken.findUniqueOrThrow({ where: { tokenHash: hashToken(link![1]!) } });
    expect(token).toMatchObject({ contactId: lisa.id, purpose: 'INVITE', usedAt: null });
    expect(token.expiresAt.getTime()).toBe(NOW.getTime() + 72 * 3_600_000);
    expect(await db.prisma.auditEvent.count({ where: { kind: 'contact.invited', subjectId: String(lisa.id) } })).toBe(
      1,
    );
  });

  it('refuses a contact that cannot be invited, without writing anything', async () => {
    const henk = await contactByEmail('h.bakker@vtel.nl'); // no web access
    const noMail = await db.prisma.contact.findFirstOrThrow({ where: { lastName: 'Zonder' } });
    await expectRefused('<contactId>', ['contact:invite', String(henk.id)], /has no web access/);
    await expectRefused('<contactId>', ['contact:invite', String(noMail.id)], /has no e-mail address/);
    await expectRefused('<contactId>', ['contact:invite', '987654'], /no contact with id 987654/);
    await expectRefused('<contactId>', ['contact:invite', 'lisa'], /positive whole number/);
    await expectRefused('contactId', ['contact:invite']);
  });
});

describe('app:activate and app:deactivate', () => {
  it('activates and deactivates an application for a contact, once', async () => {
    const henk = await contactByEmail('h.bakker@vtel.nl');
    const recorder = await db.prisma.application.findUniqueOrThrow({ where: { code: 'RECORDER' } });
    const key = { contactId_applicationId: { contactId: henk.id, applicationId: recorder.id } };

    const on = await run('app:activate', '--contact', String(henk.id), '--app', 'recorder');
    expect(on).toEqual({
      code: 0,
      out: [`application RECORDER activated for contact ${henk.id} (Henk Bakker)`],
      err: [],
    });
    expect(await db.prisma.applicationActivation.findUnique({ where: key })).not.toBeNull();
    expect(
      await db.prisma.auditEvent.count({ where: { kind: 'application.activated', subjectId: String(henk.id) } }),
    ).toBe(1);

    const before = await counts();
    const again = await run('app:activate', '--contact', String(henk.id), '--app', 'RECORDER');
    expect(again.code).toBe(0);
    expect(again.out[0]).toContain('already active');
    expect(await counts()).toEqual(before);

    const off = await run('app:deactivate', '--contact', String(henk.id), '--app', 'RECORDER');
    expect(off).toEqual({
      code: 0,
      out: [`application RECORDER deactivated for contact ${henk.id} (Henk Bakker)`],
      err: [],
    });
    expect(await db.prisma.applicationActivation.findUnique({ where: key })).toBeNull();
    expect(
      await db.prisma.auditEvent.count({ where: { kind: 'application.deactivated', subjectId: String(henk.id) } }),
    ).toBe(1);

    const offAgain = await run('app:deactivate', '--contact', String(henk.id), '--app', 'RECORDER');
    expect(offAgain.code).toBe(0);
    expect(offAgain.out[0]).toContain('was not active');
  });

  it('refuses an unknown contact or application', async () => {
    const henk = await contactByEmail('h.bakker@vtel.nl');
    await expectRefused(
      '--app',
      ['app:activate', '--contact', String(henk.id), '--app', 'NOPE'],
      /no application with code NOPE \(one of OPERATOR,/,
    );
    await expectRefused('--app', ['app:activate', '--contact', String(henk.id), '--app', 'no such app!']);
    await expectRefused(
      '--contact',
      ['app:activate', '--contact', '555555', '--app', 'OPERATOR'],
      /no contact with id 555555/,
    );
    await expectRefused('--contact', ['app:deactivate', '--app', 'OPERATOR']);
  });
});

describe('news:add', () => {
  it('adds an announcement; a time without offset is Amsterdam time', async () => {
    const org = await demoOrg();
    const r = await run(
      'news:add',
      '--kind',
      'maintenance',
      '--title',
      'Onderhoud telefonie',
      '--body',
      'Op 10 juni onderhoud.',
      '--title-en',
      'Telephony maintenance',
      '--body-en',
      'Maintenance on 10 June.',
      '--org',
      String(org.id),
      '--publish',
      '2019-06-10T08:00',
      '--expires',
      '2019-12-01T12:00:00+01:00',
    );
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const m = /^announcement (\d+) created: Onderhoud telefonie \(published 2019-06-10T06:00:00\.000Z\)$/.exec(
      r.out[0] ?? '',
    );
    expect(m).not.toBeNull();
    const a = await db.prisma.announcement.findUniqueOrThrow({ where: { id: Number(m![1]) } });
    expect(a).toMatchObject({
      kind: 'MAINTENANCE',
      organizationId: org.id,
      titleNl: 'Onderhoud telefonie',
      bodyNl: 'Op 10 juni onderhoud.',
      titleEn: 'Telephony maintenance',
      bodyEn: 'Maintenance on 10 June.',
    });
    expect(a.publishedAt.toISOString()).toBe('2019-06-10T06:00:00.000Z');
    expect(a.expiresAt!.toISOString()).toBe('2019-12-01T11:00:00.000Z');
    expect(await db.prisma.auditEvent.count({ where: { kind: 'announcement.created', subjectId: String(a.id) } })).toBe(
      1,
    );
  });

  it('publishes now by default, for everyone, in winter time too', async () => {
    const r = await run('news:add', '--kind', 'OUTAGE', '--title', 'Storing', '--body', 'Er is een storing.');
    expect(r.code).toBe(0);
    const a = await db.prisma.announcement.findFirstOrThrow({ where: { titleNl: 'Storing' } });
    expect(a).toMatchObject({ kind: 'OUTAGE', organizationId: null, titleEn: null, expiresAt: null });
    expect(a.publishedAt.toISOString()).toBe(NOW.toISOString());

    const winter = await run(
      'news:add',
      '--kind',
      'news',
      '--title',
      'Winter',
      '--body',
      'x',
      '--publish',
      '2020-01-15 09:30',
    );
    expect(winter.out[0]).toContain('published 2020-01-15T08:30:00.000Z');
  });

  it('refuses bad input without writing anything', async () => {
    const base = ['news:add', '--kind', 'news', '--title', 'T', '--body', 'B'];
    await expectRefused(
      '--kind',
      ['news:add', '--kind', 'gossip', '--title', 'T', '--body', 'B'],
      /news, maintenance or outage/,
    );
    await expectRefused('--publish', [...base, '--publish', 'tomorrow'], /not an ISO date-time/);
    await expectRefused('--publish', [...base, '--publish', '2019-02-30T10:00'], /not an ISO date-time/);
    await expectRefused(
      '--expires',
      [...base, '--publish', '2019-06-10T08:00', '--expires', '2019-06-01'],
      /later than/,
    );
    await expectRefused('--body-en', [...base, '--title-en', 'Title'], /together with --title-en/);
    await expectRefused('--org', [...base, '--org', '31337'], /no organisation with id 31337/);
    await expectRefused('--title', ['news:add', '--kind', 'news', '--body', 'B']);
    await expectRefused('--body', [...base.slice(0, 5), '--body', '']);
  });
});
