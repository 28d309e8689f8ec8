import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { makeOrg, makePerson } from '../support/factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import { runCli } from '../../src/cli/program.js';

let db: TestDb;
const dir = mkdtempSync(path.join(tmpdir(), 'pim-ticket-import-'));
const NOW = new Date('2026-03-02T10:00:00.000Z');

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.drop());

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    prisma: db.prisma,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => NOW,
    baseUrl: 'http://pim.test',
  });
  return { code, out, err };
}

async function counts() {
  const p = db.prisma;
  const [tickets, notes, mails, audits, faq, seq] = await Promise.all([
    p.ticket.count(),
    p.ticketNote.count(),
    p.mailOutbox.count(),
    p.auditEvent.count(),
    p.faqEntry.findMany({ orderBy: { id: 'asc' } }),
    p.$queryRaw<{ last_value: bigint }[]>`SELECT last_value FROM tickets_id_seq`,
  ]);
  const states = await p.ticket.findMany({
    select: { id: true, status: true, deadline: true },
    orderBy: { id: 'asc' },
  });
  return { tickets, notes, mails, audits, faq, seq, states };
}

/** A command that must be refused: exit code 1, one error line naming `field`, nothing written. */
async function expectRefused(field: string, argv: string[]) {
  const before = await counts();
  const r = await run(...argv);
  expect(r.code, argv.join(' ')).toBe(1);
  expect(r.out).toEqual([]);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]).toMatch(/^error: /);
  expect(r.err[0]).toContain(field);
  expect(await counts()).toEqual(before);
  return r.err[0]!;
}

const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe('ticket:list, ticket:show, ticket:status, ticket:reply, ticket:deadline', () => {
  let orgId: number;
  let ticketId: number;

  beforeAll(async () => {
    const org = await makeOrg(db.prisma);
    orgId = org.id;
    const p = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'],
      firstName: 'Kim',
      lastName: 'Sanders',
    });
    ticketId = (
      await makeTicket(db.prisma, org.id, { reporterId: p.id, title: 'Snom instellen', customerReference: 'K-9' })
    ).id;
    await makeTicket(db.prisma, org.id, { status: 'RESOLVED', title: 'Oud probleem' });
  });

  it('lists current tickets by default, all with --status all, filtered by org and search', async () => {
    const current = await run('ticket:list', '--org', String(orgId));
    expect(current.code).toBe(0);
    expect(current.out.map((l) => l.split('\t')[5])).toEqual(['Snom instellen']);
    expect((await run('ticket:list', '--org', String(orgId), '--status', 'all')).out).toHaveLength(2);
    expect(
      (await run('ticket:list', '--status', 'resolved', '--search', 'oud')).out.map((l) => l.split('\t')[5]),
    ).toEqual(['Oud probleem']);
    expect((await run('ticket:list', '--search', 'k-9')).out.map((l) => Number(l.split('\t')[0]))).toEqual([ticketId]);
  });

  it('changes status, adds a reply, moves the deadline; each audited; show prints them', async () => {
    expect((await run('ticket:status', String(ticketId), 'in_progress')).out).toEqual([
      `ticket ${ticketId}: NEW -> IN_PROGRESS (1 mailed)`,
    ]);
    expect((await run('ticket:reply', String(ticketId), '--body', 'We kijken ernaar.')).code).toBe(0);
    expect((await run('ticket:deadline', String(ticketId), '2026-03-20')).out).toEqual([
      `ticket ${ticketId}: deadline 2026-01-02 -> 2026-03-20`,
    ]);
    const t = await db.prisma.ticket.findUniqueOrThrow({ where: { id: ticketId }, include: { notes: true } });
    expect(t.status).toBe('IN_PROGRESS');
    expect(t.deadline!.toISOString().slice(0, 10)).toBe('2026-03-20');
    expect(t.notes.map((n) => [n.staffName, n.body, n.authorId])).toEqual([['Support', 'We kijken ernaar.', null]]);
    const kinds = (
      await db.prisma.auditEvent.findMany({ where: { subjectId: String(ticketId) }, orderBy: { id: 'asc' } })
    ).map((a) => a.kind);
    expect(kinds).toEqual(['ticket.status_changed', 'ticket.staff_reply', 'ticket.deadline_changed']);
    const show = (await run('ticket:show', String(ticketId))).out.join('\n');
    expect(show).toContain('ticket ' + ticketId + ': Snom instellen');
    expect(show).toContain('reporter: Kim Sanders');
    expect(show).toContain('Support (Vcare): We kijken ernaar.');
    expect(show).toContain('NEW -> IN_PROGRESS by staff:');
    // Resolving sets the resolution time; reopening by staff clears it.
    await run('ticket:status', String(ticketId), 'RESOLVED');
    expect((await db.prisma.ticket.findUniqueOrThrow({ where: { id: ticketId } })).resolvedAt).toEqual(NOW);
    await run('ticket:status', String(ticketId), 'IN_PROGRESS');
    expect((await db.prisma.ticket.findUniqueOrThrow({ where: { id: ticketId } })).resolvedAt).toBeNull();
  });

  it('refuses bad input with one line naming the field, writing nothing', async () => {
    await expectRefused('<id>', ['ticket:show', 'abc']);
    await expectRefused('<id>', ['ticket:show', '99999999']);
    await expectRefused('<status>', ['ticket:status', String(ticketId), 'DONE']);
    await expectRefused('<status>', ['ticket:status', String(ticketId), 'IN_PROGRESS']);
    await expectRefused('<id>', ['ticket:status', '99999999', 'NEW']);
    await expectRefused('--body', ['ticket:reply', String(ticketId), '--body', '   ']);
    await expectRefused('<id>', ['ticket:reply', '99999999', '--body', 'x']);
    await expectRefused('<date>', ['ticket:deadline', String(ticketId), '2026-02-30']);
    await expectRefused('<date>', ['ticket:deadline', String(ticketId), 'morgen']);
    await expectRefused('--status', ['ticket:list', '--status', 'bogus']);
    await expectRefused('--limit', ['ticket:list', '--limit', '-1']);
  });
});

describe('ticket:import', () => {
  let orgId: number;
  let email: string;

  beforeAll(async () => {
    const org = await makeOrg(db.prisma);
    orgId = org.id;
    email = (await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] })).email!;
  });

  it('imports a CSV keeping the given numbers, moves the sequence past them, mails nobody', async () => {
    const mails = await db.prisma.mailOutbox.count();
    const csv = file(
      'tickets.csv',
      '\uFEFFid;organization_id;reporter_email;title;kind;status;reported_at;deadline;resolved_at;customer_reference\n' +
        `50001;${orgId};${email};Storing telefonie;incident;NEW;2017-07-06T10:51;2017-07-07;;\n` +
        `50002;${orgId};;Snom instellen;QUESTION;RESOLVED;2017-07-06T14:36;;2017-07-07T10:00;REF-2\n` +
        `;${orgId};;Zonder nummer;;IN_PROGRESS;2026-03-02T09:00;;;\n`,
    );
    const r = await run('ticket:import', csv);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^imported 3 tickets \(numbers 50001-50003\)$/);
    const rows = await db.prisma.ticket.findMany({ where: { id: { gte: 50001 } }, orderBy: { id: 'asc' } });
    expect(rows.map((t) => [t.id, t.title, t.status, t.kind])).toEqual([
      [50001, 'Storing telefonie', 'NEW', 'INCIDENT'],
      [50002, 'Snom instellen', 'RESOLVED', 'QUESTION'],
      [50003, 'Zonder nummer', 'IN_PROGRESS', null],
    ]);
    expect(rows[0]!.reportedAt.toISOString()).toBe('2017-07-06T08:51:00.000Z');
    expect(rows[0]!.reporterId).not.toBeNull();
    expect(rows[1]!.deadline!.toISOString().slice(0, 10)).toBe('2017-07-11'); // QUESTION: 3 working days from Thursday 6 July
    expect(rows[2]!.deadline!.toISOString().slice(0, 10)).toBe('2026-03-05'); // no kind: DEFAULT 3 days
    expect(await db.prisma.mailOutbox.count()).toBe(mails);
    // A new ticket continues after the imported numbers.
    const next = await db.prisma.ticket.create({
      data: { organizationId: orgId, title: 'Nieuw', helpdesk: 'Support Vtel', reportedAt: NOW },
    });
    expect(next.id).toBe(50004);
  });

  it('imports JSON, and never moves the sequence backwards for lower numbers', async () => {
    const json = file(
      'tickets.json',
      JSON.stringify([
        {
          id: 777,
          organization_id: orgId,
          title: 'Uit het oude systeem',
          reported_at: '2015-01-05T09:00:00Z',
          status: 'resolved',
        },
      ]),
    );
    expect((await run('ticket:import', json)).code).toBe(0);
    const next = await db.prisma.ticket.create({
      data: { organizationId: orgId, title: 'Nog een', helpdesk: 'Support Vtel', reportedAt: NOW },
    });
    expect(next.id).toBe(50005);
  });

  it('all or nothing: one bad row refuses the whole file, naming the row and the field', async () => {
    const bad = (name: string, rows: string) =>
      file(name, `id;organization_id;title;reported_at;status;reporter_email\n${rows}`);
    expect(
      await expectRefused('row 2: title', [
        'ticket:import',
        bad('a.csv', `60001;${orgId};Goed;2020-01-01T10:00;NEW;\n60002;${orgId};;2020-01-01T10:00;NEW;\n`),
      ]),
    ).toContain('must not be empty');
    await expectRefused('row 1: reported_at', ['ticket:import', bad('b.csv', `60001;${orgId};Goed;gisteren;NEW;\n`)]);
    await expectRefused('row 1: status', [
      'ticket:import',
      bad('c.csv', `60001;${orgId};Goed;2020-01-01T10:00;KLAAR;\n`),
    ]);
    await expectRefused('row 1: organization_id', [
      'ticket:import',
      bad('d.csv', `60001;99999999;Goed;2020-01-01T10:00;NEW;\n`),
    ]);
    await expectRefused('row 2: id', [
      'ticket:import',
      bad('e.csv', `60001;${orgId};Goed;2020-01-01T10:00;NEW;\n60001;${orgId};Dubbel;2020-01-01T10:00;NEW;\n`),
    ]);
    await expectRefused('already exists', [
      'ticket:import',
      bad('f.csv', `50001;${orgId};Bestaat al;2020-01-01T10:00;NEW;\n`),
    ]);
    await expectRefused('row 1: reporter_email', [
      'ticket:import',
      bad('g.csv', `60001;${orgId};Goed;2020-01-01T10:00;NEW;niemand@example.nl\n`),
    ]);
    await expectRefused('<file>', ['ticket:import', file('h.json', '{"not": "an array"}')]);
    await expectRefused('<file>', ['ticket:import', file('i.json', '[')]);
    await expectRefused('<file>', ['ticket:import', path.join(dir, 'missing.csv')]);
    await expectRefused('--format', ['ticket:import', file('j.txt', 'x')]);
    await expectRefused('no tickets', ['ticket:import', file('k.json', '[]')]);
  });
});

describe('faq:list, faq:add, faq:edit, faq:remove', () => {
  const questions = async () =>
    (await db.prisma.faqEntry.findMany({ orderBy: { position: 'asc' } })).map((e) => [e.position, e.questionNl]);

  it("starts with the manual's four questions", async () => {
    const r = await run('faq:list');
    expect(r.out.map((l) => l.split('\t')[2])).toEqual([
      'Hoe kan ik inloggen in het klantportaal PIM?',
      'Ik heb een vraag over mijn factuur, waar kan ik terecht?',
      'Hoe kan ik toegang krijgen tot een Vcare-applicatie?',
      'Ik heb een vraag over een product, applicatie of dienst, waar kan ik terecht?',
    ]);
  });

  it('adds at the end or at a position, edits, moves and removes, keeping positions 1..n', async () => {
    const add = await run(
      'faq:add',
      '--question',
      'Waar vind ik mijn rapportages?',
      '--answer',
      'Onder **Downloads › Rapportages**.',
    );
    expect(add.out[0]).toMatch(/^faq \d+ added at position 5: /);
    const first = await run('faq:add', '--question', 'Eerste vraag', '--answer', 'Antwoord', '--position', '1');
    const firstId = Number(/^faq (\d+)/.exec(first.out[0]!)![1]);
    expect((await questions()).map((q) => q[0])).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await questions())[0]).toEqual([1, 'Eerste vraag']);
    expect((await run('faq:edit', String(firstId), '--position', '3', '--question', 'Derde vraag')).code).toBe(0);
    expect((await questions())[2]).toEqual([3, 'Derde vraag']);
    expect((await run('faq:remove', String(firstId))).code).toBe(0);
    expect((await questions()).map((q) => q[0])).toEqual([1, 2, 3, 4, 5]);
    expect((await questions())[4]![1]).toBe('Waar vind ik mijn rapportages?');
  });

  it('refuses bad input, writing nothing', async () => {
    await expectRefused('--question', ['faq:add', '--question', ' ', '--answer', 'x']);
    await expectRefused('--position', ['faq:add', '--question', 'q', '--answer', 'x', '--position', '0']);
    await expectRefused('--answer-en', ['faq:add', '--question', 'q', '--answer', 'x', '--question-en', 'Q']);
    await expectRefused('<id>', ['faq:edit', '99999', '--question', 'x']);
    await expectRefused('--question', ['faq:edit', '1']);
    await expectRefused('<id>', ['faq:remove', 'x']);
  });
});
