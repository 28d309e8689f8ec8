import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, submitForm, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { recordAudit } from '../../src/audit.js';
import { makeTicket } from '../support/tickets-factories.js';
import { unsubscribe } from '../../src/mail/preferences.js';
import { recordVerdict } from '../../src/features/tickets/verdict.js';

let db: TestDb;
let app: Express;
let org: { id: number };
let sub: { id: number };
let otherOrg: { id: number };
let jan: Awaited<ReturnType<typeof makePerson>>;
let lisa: Awaited<ReturnType<typeof makePerson>>;
let sanne: Awaited<ReturnType<typeof makePerson>>;
let kees: Awaited<ReturnType<typeof makePerson>>;
const NEW = 'een heel nieuw wachtwoord';
/** A factory person as the audit trail names an actor. */
const who = (p: { id: number; firstName: string | null; infix?: string | null; lastName: string }) => ({
  id: p.id,
  displayName: [p.firstName, p.infix, p.lastName].filter(Boolean).join(' '),
});

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  org = await makeOrg(db.prisma, { name: 'Demo Pim' });
  sub = await makeOrg(db.prisma, { name: 'Demo Pim Dochter', parentId: org.id });
  otherOrg = await makeOrg(db.prisma, { name: 'Ander' });
  jan = await makePerson(db.prisma, org.id, { main: true, roles: [], firstName: 'Jan', lastName: 'Jansen' });
  lisa = await makePerson(db.prisma, org.id, {
    roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES', 'SUBSIDIARY_ACCESS'],
    firstName: 'Lisa',
    lastName: 'de Vries',
  });
  sanne = await makePerson(db.prisma, sub.id, { firstName: 'Sanne', lastName: 'Visser' });
  kees = await makePerson(db.prisma, otherOrg.id, { main: true, roles: [], firstName: 'Kees', lastName: 'Buiten' });
  const t0 = Date.now() - 60 * 60_000;
  const at = (min: number) => new Date(t0 + min * 60_000);
  // What the contacts feature writes (the other helper's kinds), as recordAudit stores it.
  await recordAudit(db.prisma, {
    actor: who(lisa),
    kind: 'contact.updated',
    organizationId: sub.id,
    subjectType: 'contact',
    subjectId: sanne.id,
    before: { phone: '0612345678', active: true },
    after: { phone: '0687654321', active: true },
  });
  await recordAudit(db.prisma, {
    actor: who(jan),
    kind: 'contact.roles_changed',
    organizationId: org.id,
    subjectType: 'contact',
    subjectId: lisa.id,
    before: { roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS'] },
    after: { roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES'] },
  });
  await recordAudit(db.prisma, {
    actor: 'system',
    kind: 'password.reset',
    organizationId: org.id,
    subjectType: 'contact',
    subjectId: lisa.id,
  });
  await recordAudit(db.prisma, {
    actor: who(kees),
    kind: 'contact.deleted',
    organizationId: otherOrg.id,
    subjectType: 'contact',
    subjectId: kees.id,
    before: { lastName: 'Geheim-Buiten' },
  });
  // Give them distinct times, oldest first.
  const events = await db.prisma.auditEvent.findMany({ orderBy: { id: 'asc' } });
  for (const [i, e] of events.entries())
    await db.prisma.auditEvent.update({ where: { id: e.id }, data: { at: at(i) } });
});
afterAll(() => db.drop());

async function as(p: { email: string | null }, password = PASSWORD): Promise<TestAgent> {
  const agent = client(app);
  expect((await logIn(agent, p.email!, password)).status).toBe(302);
  return agent;
}

/** The table rows as a reader sees them. */
function rows(html: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  // "→" is followed by a "wordt" for screen readers only; the eye reads "before → after".
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
    visibleText(m[1]!)
      .replace(/ :/g, ':')
      .replace(/→ wordt/g, '→'),
  );
}

describe('GET /activity', () => {
  it("shows the main contact's own password change, newest first, and nothing of another organisation", async () => {
    const agent = await as(jan);
    const change = await submitForm(agent, '/profile/password', '/profile/password', {
      current: PASSWORD,
      password: NEW,
      confirm: NEW,
    });
    expect(change.status).toBe(302);
    const res = await agent.get('/activity');
    expect(res.status).toBe(200);
    const list = rows(res.text);
    expect(list).toHaveLength(5);
    expect(list[0]).toContain('Jan Jansen heeft het eigen wachtwoord gewijzigd.');
    // Logging in is an event too.
    expect(list[1]).toContain('Jan Jansen is ingelogd.');
    expect(list[2]).toContain('Lisa de Vries heeft via de link uit de e-mail een nieuw wachtwoord ingesteld.');
    // Only Lisa holds the link: an event written as PIM's before this was known still names her.
    expect(list[2]).toMatch(/ Lisa de Vries Lisa de Vries heeft via/);
    expect(list[2]).not.toContain('PIM (automatisch)');
    expect(list[3]).toContain('Jan Jansen heeft de rollen van Lisa de Vries gewijzigd.');
    expect(list[3]).toContain(
      'Rollen: Toegang klantportaal PIM, Contactpersonen beheren → Toegang klantportaal PIM, Contactpersonen beheren, Rollen in klantportaal PIM toekennen',
    );
    // The subsidiary's event is there too, with before and after of the changed field only.
    expect(list[4]).toContain('Lisa de Vries heeft de gegevens van Sanne Visser gewijzigd.');
    expect(list[4]).toContain('Telefoon: 0612345678 → 0687654321');
    expect(list[4]).not.toContain('Actief');
    const text = visibleText(res.text);
    expect(text).toContain('5 gevonden');
    expect(text).not.toContain('Kees');
    expect(text).not.toContain('Geheim-Buiten');
  });

  it("names Vcare for its staff and its systems' API tokens, never a user or token name; a person stays a person", async () => {
    const own = await makeOrg(db.prisma, { name: 'Eigen huisartsenpost' });
    const main = await makePerson(db.prisma, own.id, { main: true, roles: [], firstName: 'Ans', lastName: 'Hoofd' });
    const odd = await makePerson(db.prisma, own.id, { firstName: 'Api', lastName: 'Vcare' });
    const change = {
      organizationId: own.id,
      subjectType: 'contact',
      subjectId: odd.id,
      kind: 'contact.updated' as const,
    };
    await recordAudit(db.prisma, { ...change, actor: { api: 'h4-tw' }, before: { phone: '1' }, after: { phone: '2' } });
    await recordAudit(db.prisma, {
      ...change,
      actor: { staff: 'pjansen' },
      before: { phone: '2' },
      after: { phone: '3' },
    });
    // A person whose name reads like a token's label is still that person.
    await recordAudit(db.prisma, {
      ...change,
      actor: { id: odd.id, displayName: 'api:Vcare' },
      before: { phone: '3' },
      after: { phone: '4' },
    });
    const list = rows((await (await as(main)).get('/activity')).text);
    expect(list.filter((r) => /^\S+ \S+ Vcare Vcare heeft de gegevens van Api Vcare gewijzigd\./.test(r))).toHaveLength(
      2,
    );
    expect(list.filter((r) => r.includes('api:Vcare heeft de gegevens van Api Vcare gewijzigd.'))).toHaveLength(1);
    expect(list.join(' ')).not.toMatch(/h4-tw|pjansen|staff:/);
  });

  it('filters by kind and by person (by them or about them), with removable chips', async () => {
    const agent = await as(jan, NEW);
    const byKind = await agent.get('/activity?kind=contact.roles_changed');
    expect(rows(byKind.text)).toHaveLength(1);
    expect(visibleText(byKind.text)).toContain('1 gevonden Soort › Rollen gewijzigd');
    expect(byKind.text).toContain('href="/activity"');

    const byLisa = await agent.get(`/activity?person=${lisa.id}`);
    const lisaRows = rows(byLisa.text);
    expect(lisaRows).toHaveLength(3);
    expect(lisaRows.join(' | ')).not.toContain('eigen wachtwoord');
    expect(visibleText(byLisa.text)).toContain('Persoon › Lisa de Vries');

    const both = await agent.get(`/activity?person=${lisa.id}&kind=contact.updated`);
    expect(rows(both.text)).toHaveLength(1);
    expect(rows(both.text)[0]).toContain('Sanne Visser');

    // Another organisation's person as a filter finds nothing of theirs.
    const foreign = await agent.get(`/activity?person=${kees.id}`);
    expect(visibleText(foreign.text)).toContain('0 gevonden');
    expect(visibleText(foreign.text)).not.toContain('Kees');
    // Nonsense filters are ignored, never a 500.
    expect((await agent.get('/activity?person=abc&kind=DROP TABLE&page=-4')).status).toBe(200);
  });

  it('takes a period typed day first (01072026 is 1 July 2026), and refuses a day that is not one with 422', async () => {
    const agent = await as(jan, NEW);
    const iso = await agent.get('/activity?from=2020-07-01&to=2099-07-31');
    expect(rows(iso.text).length).toBeGreaterThan(3);
    for (const q of ['from=1-7-2020&to=31-7-2099', 'from=01072020&to=31072099', 'from=01-07-2020&to=31/07/2099']) {
      const res = await agent.get(`/activity?${q}`);
      expect(res.status, q).toBe(200);
      expect(rows(res.text), q).toEqual(rows(iso.text));
      expect(visibleText(res.text)).toContain('Vanaf › 1-7-2020');
      expect(visibleText(res.text)).toContain('Tot en met › 31-7-2099');
      expect(res.text).toMatch(
        /<input id="f-from" name="from" type="text"[^>]* inputmode="numeric"[^>]* value="1-7-2020"/,
      );
    }
    for (const q of ['from=31-2-2026', 'from=13072026x', 'to=2026-02-30', 'from=1-8-2026&to=1-7-2026']) {
      const res = await agent.get(`/activity?${q}`);
      expect(res.status, q).toBe(422);
      expect(res.text).toMatch(/<title>Fout: Activiteiten/);
      expect(visibleText(res.text)).toMatch(
        /Er is een probleem (Vul een geldige datum in, bijvoorbeeld 1-7-2026\.|De datum 'tot en met' moet op of na de datum 'vanaf' liggen\.)/,
      );
    }
    // What was typed stays in the field, to be corrected; the CSV of a refused filter is the page, not a file.
    expect((await agent.get('/activity?from=31-2-2026')).text).toContain('value="31-2-2026"');
    expect((await agent.get('/activity?from=31-2-2026&format=csv')).status).toBe(422);
  });

  it('pages through many events', async () => {
    for (let i = 0; i < 30; i++) {
      await recordAudit(db.prisma, {
        actor: who(lisa),
        kind: 'contact.updated',
        organizationId: org.id,
        subjectType: 'contact',
        subjectId: sanne.id,
        before: { city: 'x' },
        after: { privateCity: `Plaats ${i}` },
      });
    }
    const agent = await as(jan, NEW);
    const p1 = await agent.get('/activity?kind=contact.updated');
    expect(rows(p1.text)).toHaveLength(25);
    expect(rows(p1.text)[0]).toContain('Plaats 29');
    const p2 = await agent.get('/activity?kind=contact.updated&page=2');
    expect(rows(p2.text)).toHaveLength(6);
    expect(rows(p2.text)[4]).toContain('Plaats 0');
    expect(rows(p2.text)[5]).toContain('Telefoon: 0612345678 → 0687654321');
  });

  it('names the person for what they did with their own links, and says which mail, which colleague, which score', async () => {
    const own = await makeOrg(db.prisma, { name: 'Apotheek De Brug' });
    const main = await makePerson(db.prisma, own.id, { main: true, roles: [], firstName: 'Ria', lastName: 'Hoofd' });
    const piet = await makePerson(db.prisma, own.id, { firstName: 'Piet', lastName: 'Dam' });
    const gert = await makePerson(db.prisma, own.id, { firstName: 'Gert', lastName: 'Bos' });
    const ticket = await makeTicket(db.prisma, own.id, {
      reporterId: piet.id,
      status: 'RESOLVED',
      resolvedAt: new Date(Date.UTC(2026, 0, 2)),
    });
    await unsubscribe(db.prisma, { contactId: piet.id, kind: 'ticket_reply' });
    await recordVerdict(db.prisma, ticket.id, piet.id, 4, null, new Date(Date.UTC(2026, 0, 3)));
    const watch = { organizationId: own.id, subjectType: 'ticket', subjectId: ticket.id } as const;
    await recordAudit(db.prisma, {
      ...watch,
      actor: who(piet),
      kind: 'ticket.watcher_added',
      after: { contactId: gert.id, name: 'Gert Bos' },
    });
    await recordAudit(db.prisma, {
      ...watch,
      actor: who(gert),
      kind: 'ticket.watcher_removed',
      before: { contactId: gert.id, name: 'Gert Bos' },
      after: { self: true },
    });
    await recordAudit(db.prisma, {
      actor: who(piet),
      kind: 'session.ended_others',
      organizationId: own.id,
      subjectType: 'contact',
      subjectId: piet.id,
      after: { sessions: 2 },
    });
    const text = rows((await (await as(main)).get('/activity')).text).join(' | ');
    expect(text).not.toContain('PIM (automatisch)');
    expect(text).toContain(
      'Piet Dam Piet Dam heeft zich met de link in een e-mail afgemeld voor e-mails bij: Reactie van Vcare.',
    );
    expect(text).toContain(
      `Piet Dam Piet Dam heeft de afhandeling van ticket ${ticket.id} beoordeeld: Tevreden (4 van 5).`,
    );
    expect(text).toContain(`Piet Dam heeft Gert Bos als betrokkene aan ticket ${ticket.id} toegevoegd.`);
    expect(text).toContain(`Gert Bos heeft zichzelf als betrokkene van ticket ${ticket.id} afgehaald.`);
    expect(text).toContain('Piet Dam heeft zich op alle andere apparaten uitgelogd.');
    // The person's own acts are theirs in the person filter too.
    const stored = await db.prisma.auditEvent.findMany({
      where: { organizationId: own.id, kind: { in: ['contact.mail_unsubscribed', 'ticket.verdict'] } },
      select: { actorId: true },
    });
    expect(stored).toEqual([{ actorId: piet.id }, { actorId: piet.id }]);
  });

  it('is for the main contact only: someone holding every role gets 403 and no menu item', async () => {
    const all = await makePerson(db.prisma, org.id, {
      roles: [
        'PORTAL_ACCESS',
        'MANAGE_PERSONAL_DATA',
        'VIEW_ORGANIZATION',
        'SUBSIDIARY_ACCESS',
        'MANAGE_CONTACTS',
        'ASSIGN_ROLES',
        'VIEW_INVOICES',
        'VIEW_MANUALS',
        'MANAGE_OWN_TICKETS',
        'MANAGE_ORG_TICKETS',
      ],
    });
    const agent = await as(all);
    const refused = await agent.get('/activity');
    expect(refused.status).toBe(403);
    // No role opens it: the page says whose page it is, under a human heading, without a raw code.
    const said = visibleText(refused.text);
    expect(said).toContain('Geen toegang');
    expect(said).toContain('Deze pagina is alleen voor de hoofdcontactpersoon van uw organisatie.');
    expect(said).not.toContain('benodigde rol');
    expect(said).not.toContain('403');
    expect(refused.text).toMatch(/<title>Geen toegang/);
    // A page a role does open still says so.
    const byRole = visibleText((await agent.get('/downloads/reports')).text);
    expect(byRole).toContain(
      'Geen toegang U heeft geen toegang tot deze pagina. De beheerder in uw organisatie kan u de benodigde rol geven.',
    );
    expect((await agent.get('/')).text).not.toContain('href="/activity"');
    const main = await as(jan, NEW);
    const home = await main.get('/');
    expect(home.text).toContain('href="/activity"');
    // Menu order in "Mijn gegevens": Organisatie first, then Persoonlijk, then Activiteiten.
    const menu = visibleText(/<nav class="menu"[\s\S]*?<\/nav>/.exec(home.text)![0]);
    expect(menu.indexOf('Organisatie')).toBeLessThan(menu.indexOf('Persoonlijk'));
    expect(menu.indexOf('Persoonlijk')).toBeLessThan(menu.indexOf('Activiteiten'));
  });
});

describe('scale', () => {
  it('every query of the page is index-backed on 300,000 events (EXPLAIN)', async () => {
    // 5,000 customer organisations; one with 200 subsidiaries; events spread over all of them.
    const root = await makeOrg(db.prisma, { name: 'Groot' });
    await db.prisma
      .$executeRaw`INSERT INTO organizations (name, parent_id, updated_at) SELECT 'Groot ' || g, ${root.id}, now() FROM generate_series(1, 200) g`;
    await db.prisma
      .$executeRaw`INSERT INTO organizations (name, updated_at) SELECT 'Klant ' || g, now() FROM generate_series(1, 4800) g`;
    const orgIds = (await db.prisma.organization.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map(
      (o) => o.id,
    );
    const tree = (
      await db.prisma.organization.findMany({
        where: { OR: [{ id: root.id }, { parentId: root.id }] },
        select: { id: true },
      })
    ).map((o) => o.id);
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO audit_events (at, actor_label, organization_id, kind, subject_type, subject_id, actor_id)
       SELECT now() - (g || ' seconds')::interval, 'Iemand', ($1::int[])[1 + (g % array_length($1::int[], 1))],
              (ARRAY['contact.updated','contact.created','contact.roles_changed','password.changed','contact.deleted'])[1 + g % 5],
              'contact', (g % 20000)::text, NULL
       FROM generate_series(1, 300000) g`,
      orgIds,
    );
    await db.prisma.$executeRaw`ANALYZE audit_events`;
    const person = 12345;
    const queries: Record<string, [string, unknown[]]> = {
      'own organisation, page 1': [
        `SELECT id FROM audit_events WHERE organization_id IN (${root.id}) ORDER BY at DESC, id DESC LIMIT 25 OFFSET 0`,
        [],
      ],
      'tree of 201, page 1': [
        `SELECT id FROM audit_events WHERE organization_id = ANY($1::int[]) ORDER BY at DESC, id DESC LIMIT 25 OFFSET 0`,
        [tree],
      ],
      'tree of 201, count': [`SELECT count(*) FROM audit_events WHERE organization_id = ANY($1::int[])`, [tree]],
      'tree, by kind': [
        `SELECT id FROM audit_events WHERE organization_id = ANY($1::int[]) AND kind = 'contact.deleted' ORDER BY at DESC, id DESC LIMIT 25`,
        [tree],
      ],
      'tree, one day (period filter)': [
        `SELECT id FROM audit_events WHERE organization_id = ANY($1::int[]) AND at >= now() - interval '2 days' AND at < now() - interval '1 day' ORDER BY at DESC, id DESC LIMIT 25`,
        [tree],
      ],
      'tree, by kind and period, count': [
        `SELECT count(*) FROM audit_events WHERE organization_id = ANY($1::int[]) AND kind = 'contact.deleted' AND at >= now() - interval '2 days' AND at < now() - interval '1 day'`,
        [tree],
      ],
      'tree, CSV (10,000 newest)': [
        `SELECT id FROM audit_events WHERE organization_id = ANY($1::int[]) ORDER BY at DESC, id DESC LIMIT 10000`,
        [tree],
      ],
      'tree, by person': [
        `SELECT id FROM audit_events WHERE organization_id = ANY($1::int[]) AND (actor_id = ${person} OR (subject_type = 'contact' AND subject_id = '${person}')) ORDER BY at DESC, id DESC LIMIT 25`,
        [tree],
      ],
    };
    for (const [name, [sql, params]] of Object.entries(queries)) {
      const plan = (await db.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ANALYZE ${sql}`, ...params))
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan, name).not.toMatch(/Seq Scan on audit_events/);
      if (process.env.PIM_SHOW_PLANS) console.log(`--- ${name}\n${plan}`);
    }
  }, 120_000);
});
