import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { parse } from 'csv-parse/sync';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, submitForm, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { runCli } from '../../src/cli/program.js';

let db: TestDb;
let app: Express;
let org: { id: number };
let jan: Awaited<ReturnType<typeof makePerson>>;
let lisa: Awaited<ReturnType<typeof makePerson>>;
let agent: TestAgent;
let invoiceId: number;
let reportId: number;
let manualId: number;

const dir = mkdtempSync(path.join(tmpdir(), 'pim-activity-'));
const cli = async (...argv: string[]) => {
  const err: string[] = [];
  const code = await runCli(argv, {
    prisma: db.prisma,
    out: () => {},
    err: (l) => err.push(l),
    now: () => new Date(),
    baseUrl: 'http://pim.test',
  });
  expect(err).toEqual([]);
  expect(code).toBe(0);
};

/** The table rows as a reader sees them, and their links. */
function rows(html: string): { text: string; links: string[] }[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => ({
    text: visibleText(m[1]!)
      .replace(/ :/g, ':')
      .replace(/→ wordt/g, '→')
      .replace(/ \./g, '.'),
    links: [...m[1]!.matchAll(/<td class="activity__what">([\s\S]*?)<\/td>/g)].flatMap((w) =>
      [...w[1]!.matchAll(/href="([^"]+)"/g)].map((h) => h[1]!),
    ),
  }));
}
const row = (html: string, sentence: string) => rows(html).find((r) => r.text.includes(sentence));

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  org = await makeOrg(db.prisma, { name: 'Huisartsenpost Oost', reportsInContract: true });
  jan = await makePerson(db.prisma, org.id, { main: true, roles: [], firstName: 'Jan', lastName: 'Jansen' });
  lisa = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'], firstName: 'Lisa', lastName: 'de Vries' });
  agent = client(app);
  expect((await logIn(agent, jan.email!, PASSWORD)).status).toBe(302);

  // Vcare adds an invoice, a report and a manual with the staff tool.
  await cli(
    'invoice:add',
    '--number',
    '200123',
    '--org',
    String(org.id),
    '--title',
    'Maandfactuur juli',
    '--date',
    '2026-07-06',
    '--line',
    'Helpdesk;1;125.50;21',
  );
  invoiceId = (await db.prisma.invoice.findUniqueOrThrow({ where: { number: 200123 } })).id;
  const report = path.join(dir, 'week27.pdf');
  writeFileSync(report, '%PDF-1.4\n%%EOF\n');
  await cli('document:add', '--kind', 'report', '--org', String(org.id), report);
  reportId = (await db.prisma.document.findFirstOrThrow({ where: { fileName: 'week27.pdf' } })).id;
  const manual = path.join(dir, 'Eigen handleiding.pdf');
  writeFileSync(manual, '%PDF-1.4\n%%EOF\n');
  await cli('document:add', '--kind', 'manual', '--org', String(org.id), manual);
  manualId = (await db.prisma.document.findFirstOrThrow({ where: { fileName: 'Eigen handleiding.pdf' } })).id;

  // Jan adds a note to ticket 9969, copies Lisa, downloads the report and the invoice.
  await db.prisma.ticket.create({
    data: {
      id: 9969,
      organizationId: org.id,
      reporterId: jan.id,
      title: 'Printer',
      helpdesk: 'Support Vtel',
      reportedAt: new Date(),
    },
  });
  expect(
    (await submitForm(agent, '/tickets/9969/notes/new', '/tickets/9969/notes', { body: 'Nog steeds stuk.' })).status,
  ).toBe(302);
  const copy = await submitForm(agent, `/contacts/${lisa.id}/copy`, `/contacts/${lisa.id}/copy`, {
    lastName: 'Bakker',
    organizationId: String(org.id),
    firstName: 'Henk',
    active: 'yes',
    subscribeUpdate: 'yes',
    subscribeCare: 'no',
    subscribeBusiness: 'no',
    subscribeFlash: 'no',
    webAccess: 'no',
  });
  expect(copy.status).toBe(302);
  expect((await agent.get(`/documents/${reportId}`)).status).toBe(200);
  expect((await agent.get(`/documents/${manualId}`)).status).toBe(200);
  expect((await agent.get(`/invoices/${invoiceId}/pdf`)).status).toBe(200);
  // The manual is removed again: its events keep its name, without a link.
  await cli('document:remove', String(manualId));
}, 60_000);
afterAll(() => db.drop());

describe('Activiteiten reads as sentences for the customer', () => {
  it("names who did what in the reader's language, links what still exists, and shows no staff-only detail", async () => {
    const res = await agent.get('/activity');
    expect(res.status).toBe(200);
    const html = res.text;
    const invoice = row(html, 'Vcare heeft factuur 200123 toegevoegd.')!;
    expect(invoice.links).toEqual([`/invoices/${invoiceId}/pdf`]);
    const note = row(html, 'Jan Jansen heeft een aanvulling op ticket 9969 geplaatst.')!;
    expect(note.links).toEqual(['/tickets/9969']);
    const henk = await db.prisma.contact.findFirstOrThrow({ where: { firstName: 'Henk', lastName: 'Bakker' } });
    const copied = row(html, 'Jan Jansen heeft contactpersoon Henk Bakker toegevoegd als kopie van Lisa de Vries.')!;
    expect(copied.links).toEqual([`/contacts/${henk.id}`, `/contacts/${lisa.id}`]);
    expect(row(html, 'Vcare heeft rapportage week27.pdf toegevoegd.')!.links).toEqual([`/documents/${reportId}`]);
    expect(row(html, 'Jan Jansen heeft rapportage week27.pdf gedownload.')).toBeDefined();
    expect(row(html, 'Jan Jansen heeft factuur 200123 gedownload.')).toBeDefined();
    expect(row(html, 'Jan Jansen is ingelogd.')).toBeDefined();
    // The removed manual: named, never linked.
    expect(row(html, 'Vcare heeft handleiding Eigen handleiding.pdf verwijderd.')!.links).toEqual([]);
    expect(row(html, 'Jan Jansen heeft handleiding Eigen handleiding.pdf gedownload.')!.links).toEqual([]);
    const text = visibleText(html);
    for (const raw of [
      'copiedFrom',
      'kind:',
      'REPORT',
      'noteId',
      'storedPdf',
      'invoice.created',
      'Vcare (',
      'staff:',
      'numbers',
      'contentType',
    ]) {
      expect(text, raw).not.toContain(raw);
    }
  });

  it('a deleted contact keeps its name in the history, without a link', async () => {
    const gone = await makePerson(db.prisma, org.id, {
      roles: [],
      firstName: 'Roy',
      lastName: 'Williams',
      webAccess: false,
    });
    const del = await submitForm(agent, `/contacts/${gone.id}/delete`, `/contacts/${gone.id}/delete`, {});
    expect(del.status).toBe(302);
    const html = (await agent.get('/activity?kind=contact.deleted')).text;
    expect(rows(html)).toHaveLength(1);
    expect(row(html, 'Jan Jansen heeft contactpersoon Roy Williams verwijderd.')!.links).toEqual([]);
  });

  it('speaks English to an English reader', async () => {
    const html = (await agent.get('/activity?lang=en')).text;
    expect(row(html, 'Vcare added invoice 200123.')).toBeDefined();
    expect(row(html, 'Jan Jansen added a follow-up note to ticket 9969.')).toBeDefined();
    await agent.get('/activity?lang=nl');
  });

  it('filters by kind, person and period, and downloads the same selection as CSV', async () => {
    const byKind = await agent.get('/activity?kind=invoice.created');
    expect(rows(byKind.text).map((r) => r.text)).toEqual([
      expect.stringContaining('Vcare heeft factuur 200123 toegevoegd.'),
    ]);
    expect(visibleText(byKind.text)).toContain('Soort › Factuur toegevoegd');

    // Period: Lisa's copy happened today; a period in the past finds nothing, today finds it.
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Amsterdam' });
    const [y, m, d] = today.split('-');
    const past = await agent.get('/activity?from=2020-01-01&to=2020-12-31');
    expect(visibleText(past.text)).toContain('0 gevonden');
    expect(visibleText(past.text)).toContain('Vanaf › 1-1-2020');
    const now = await agent.get(`/activity?from=${Number(d)}-${Number(m)}-${y}&to=${today}&kind=contact.copied`);
    expect(rows(now.text)).toHaveLength(1);

    const csv = await agent.get(`/activity?format=csv&kind=contact.copied&from=${today}`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain('activiteiten.csv');
    const table = parse(csv.text.slice(1), { delimiter: ';' });
    expect(table[0]).toEqual(['Wanneer', 'Wie', 'Wat', 'Soort', 'Voor › na']);
    expect(table.slice(1).map((r) => r[2])).toEqual([
      'Jan Jansen heeft contactpersoon Henk Bakker toegevoegd als kopie van Lisa de Vries.',
    ]);

    const byPerson = await agent.get(`/activity?format=csv&person=${jan.id}&kind=document.downloaded`);
    const people = parse(byPerson.text.slice(1), { delimiter: ';' });
    expect(
      people
        .slice(1)
        .map((r) => r[2])
        .sort(),
    ).toEqual([
      'Jan Jansen heeft handleiding Eigen handleiding.pdf gedownload.',
      'Jan Jansen heeft rapportage week27.pdf gedownload.',
    ]);
  });

  it('the CSV is for the main contact only, like the page', async () => {
    const other = client(app);
    const all = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_CONTACTS'] });
    await logIn(other, all.email!, PASSWORD);
    expect((await other.get('/activity?format=csv')).status).toBe(403);
  });
});
