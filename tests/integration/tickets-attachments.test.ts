import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText, TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import { FILES } from '../support/files.js';
import type { Role } from '../../src/auth/roles.js';

let db: TestDb;
let app: Express;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db, { clock: new TestClock(Date.parse('2026-04-22T10:00:00+02:00')) }));
});
afterAll(() => db.drop());

async function agentFor(email: string | null) {
  const agent = client(app);
  expect((await logIn(agent, email!, PASSWORD)).status).toBe(302);
  return agent;
}
const person = (orgId: number, roles: Role[]) => makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS', ...roles] });
const chunks = async () =>
  Number((await db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM stored_file_chunks`)[0]!.n);

type Upload = { name: string; body: Buffer };
/** Posts the new-ticket form as a browser does: CSRF first, the fields, then the files. */
async function postTicket(
  agent: TestAgent,
  fields: Record<string, string>,
  files: Upload[],
  extra: Record<string, string[]> = {},
) {
  const page = await agent.get('/tickets/new');
  let req = agent.post('/tickets/new').field('_csrf', csrfFrom(page.text));
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  for (const [k, vs] of Object.entries(extra)) for (const v of vs) req = req.field(k, v);
  for (const f of files) req = req.attach('files', f.body, f.name);
  return req;
}
async function postNote(agent: TestAgent, ticketId: number, body: string, files: Upload[]) {
  const page = await agent.get('/tickets');
  let req = agent.post(`/tickets/${ticketId}/notes`).field('_csrf', csrfFrom(page.text)).field('body', body);
  for (const f of files) req = req.attach('files', f.body, f.name);
  return req;
}
const download = (agent: TestAgent, path: string) =>
  agent
    .get(path)
    .buffer(true)
    .parse((res, cb) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => cb(null, Buffer.concat(parts)));
    });

describe('attachments on a new ticket', () => {
  let org: { id: number };
  let reporter: { id: number; email: string | null };

  beforeAll(async () => {
    org = await makeOrg(db.prisma);
    reporter = await person(org.id, ['MANAGE_OWN_TICKETS']);
  });

  it('stores the files with the ticket, lists type, size and uploader, and serves them back byte for byte', async () => {
    const agent = await agentFor(reporter.email);
    const log = FILES.log(20_000); // ~1.2 MB: several storage chunks
    const res = await postTicket(
      agent,
      { organizationId: String(org.id), title: 'Centrale valt uit', description: 'Zie de log.' },
      [
        { name: 'offerte.pdf', body: FILES.pdf() },
        { name: 'centrale.log', body: log },
        { name: 'scherm afdruk.png', body: FILES.png() },
      ],
    );
    expect(res.status).toBe(302);
    const id = Number(/\/tickets\/(\d+)$/.exec(res.headers.location!)![1]);
    const rows = await db.prisma.ticketAttachment.findMany({ where: { ticketId: id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.fileName, r.contentType, r.size, r.uploaderId, r.noteId])).toEqual([
      ['offerte.pdf', 'application/pdf', FILES.pdf().length, reporter.id, null],
      ['centrale.log', 'text/plain', log.length, reporter.id, null],
      ['scherm afdruk.png', 'image/png', FILES.png().length, reporter.id, null],
    ]);

    const page = visibleText((await agent.get(`/tickets/${id}`)).text);
    expect(page).toContain('Bijlagen offerte.pdf PDF, 1 kB, door Test');
    expect(page).toMatch(/centrale\.log Tekst, 1,1 MB, door Test/);

    const file = await download(agent, `/tickets/${id}/attachments/${rows[1]!.id}`);
    expect(file.status).toBe(200);
    expect(file.headers['content-disposition']).toBe('attachment; filename="centrale.log"');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['cache-control']).toBe('no-store');
    expect(file.headers['content-type']).toMatch(/^text\/plain/);
    expect(Buffer.compare(file.body as Buffer, log)).toBe(0);
    const png = await download(agent, `/tickets/${id}/attachments/${rows[2]!.id}`);
    expect(png.headers['content-disposition']).toBe(`attachment; filename="scherm afdruk.png"`);
    expect(Buffer.compare(png.body as Buffer, FILES.png())).toBe(0);
  });

  it('refuses a program named .pdf with the reason, keeps the text and the accepted file, saves nothing; a second submit takes the kept file', async () => {
    const agent = await agentFor(reporter.email);
    const before = await db.prisma.ticket.count();
    const res = await postTicket(
      agent,
      { organizationId: String(org.id), title: 'Printer', customerReference: 'PO-12' },
      [
        { name: 'rapport.pdf', body: FILES.exe() },
        { name: 'notities.zip', body: FILES.zip() },
      ],
    );
    expect(res.status).toBe(422);
    const text = visibleText(res.text);
    expect(text).toContain('rapport.pdf: dit soort bestand wordt niet aangenomen');
    expect(res.text).toContain('value="Printer"');
    expect(res.text).toContain('value="PO-12"');
    expect(text).toContain('Al ontvangen bestanden');
    expect(await db.prisma.ticket.count()).toBe(before);
    const pending = await db.prisma.ticketAttachment.findMany({ where: { uploaderId: reporter.id, ticketId: null } });
    expect(pending.map((p) => [p.fileName, p.contentType])).toEqual([['notities.zip', 'application/zip']]);
    expect(res.text).toContain(`name="keep" value="${pending[0]!.id}" checked`);

    const again = await postTicket(agent, { organizationId: String(org.id), title: 'Printer' }, [], {
      keep: [String(pending[0]!.id)],
    });
    expect(again.status).toBe(302);
    const id = Number(/\/tickets\/(\d+)$/.exec(again.headers.location!)![1]);
    expect((await db.prisma.ticketAttachment.findMany({ where: { ticketId: id } })).map((a) => a.fileName)).toEqual([
      'notities.zip',
    ]);
  });

  it('refuses a file over 20 MB while it streams (takes one of exactly 20 MB), and the eleventh file', async () => {
    const agent = await agentFor(reporter.email);
    const chunksBefore = await chunks();
    const big = Buffer.concat([FILES.pdf(), Buffer.alloc(20 * 1024 * 1024, 0x20)]);
    const res = await postTicket(agent, { organizationId: String(org.id), title: 'Groot' }, [
      { name: 'groot.pdf', body: big },
    ]);
    expect(res.status).toBe(422);
    expect(visibleText(res.text)).toContain('groot.pdf: het bestand is groter dan 20 MB.');
    expect(await chunks()).toBe(chunksBefore);

    // Exactly 20 MB (20,971,520 bytes) is not larger than 20 MB: it is taken whole.
    const pdf = FILES.pdf();
    const exact = Buffer.concat([pdf, Buffer.alloc(20 * 1024 * 1024 - pdf.length, 0x20)]);
    const fits = await postTicket(agent, { organizationId: String(org.id), title: 'Precies 20 MB' }, [
      { name: 'precies.pdf', body: exact },
    ]);
    expect(fits.status).toBe(302);
    const stored = await db.prisma.ticketAttachment.findFirst({ where: { fileName: 'precies.pdf' } });
    expect(stored?.size).toBe(20_971_520);

    const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `log${i + 1}.txt`, body: FILES.log(3) }));
    const many = await postTicket(agent, { organizationId: String(org.id), title: 'Veel' }, eleven);
    expect(many.status).toBe(422);
    expect(visibleText(many.text)).toContain('log11.txt: er kunnen maximaal 10 bestanden mee.');
  });

  it('refuses a multipart form without its CSRF token: 403, nothing stored', async () => {
    const agent = await agentFor(reporter.email);
    const [t, c] = [await db.prisma.ticketAttachment.count(), await chunks()];
    const res = await agent
      .post('/tickets/new')
      .field('title', 'x')
      .field('organizationId', String(org.id))
      .attach('files', FILES.pdf(), 'a.pdf');
    expect(res.status).toBe(403);
    const forged = await agent
      .post('/tickets/new')
      .field('_csrf', 'not-the-token')
      .attach('files', FILES.pdf(), 'a.pdf');
    expect(forged.status).toBe(403);
    expect([await db.prisma.ticketAttachment.count(), await chunks()]).toEqual([t, c]);
    // Any other route keeps the global check: a multipart POST carries no token it can read.
    expect((await agent.post('/logout').field('x', '1')).status).toBe(403);
  });
});

describe('attachments on notes, and scope', () => {
  let org: { id: number };
  let other: { id: number };
  let reporter: { id: number; email: string | null };
  let colleague: { email: string | null };
  let stranger: { id: number; email: string | null };
  let ticket: { id: number };
  let foreign: { id: number };

  beforeAll(async () => {
    org = await makeOrg(db.prisma);
    other = await makeOrg(db.prisma);
    reporter = await person(org.id, ['MANAGE_OWN_TICKETS']);
    colleague = await person(org.id, ['MANAGE_OWN_TICKETS']);
    stranger = await person(other.id, ['MANAGE_ORG_TICKETS']);
    ticket = await makeTicket(db.prisma, org.id, { reporterId: reporter.id });
    foreign = await makeTicket(db.prisma, other.id, { reporterId: stranger.id });
  });

  it('a note carries its files; they are listed with the note', async () => {
    const agent = await agentFor(reporter.email);
    const res = await postNote(agent, ticket.id, 'Hierbij de log.', [{ name: 'log.txt', body: FILES.log(5) }]);
    expect(res.status).toBe(302);
    const note = await db.prisma.ticketNote.findFirstOrThrow({
      where: { ticketId: ticket.id },
      include: { attachments: true },
    });
    expect(note.attachments.map((a) => [a.fileName, a.ticketId])).toEqual([['log.txt', ticket.id]]);
    expect(visibleText((await agent.get(`/tickets/${ticket.id}`)).text)).toMatch(/Hierbij de log\. log\.txt Tekst/);
  });

  it('from another organisation: the file, the note with files and the ticket are 404 and nothing changes', async () => {
    const file = await db.prisma.ticketAttachment.findFirstOrThrow({ where: { ticketId: ticket.id } });
    const agent = await agentFor(stranger.email);
    expect((await agent.get(`/tickets/${ticket.id}/attachments/${file.id}`)).status).toBe(404);
    // The right file id under the stranger's own ticket number: still not theirs.
    expect((await agent.get(`/tickets/${foreign.id}/attachments/${file.id}`)).status).toBe(404);
    const [a, c, n] = [await db.prisma.ticketAttachment.count(), await chunks(), await db.prisma.ticketNote.count()];
    const res = await postNote(agent, ticket.id, 'mag niet', [{ name: 'x.pdf', body: FILES.pdf() }]);
    expect(res.status).toBe(404);
    expect([await db.prisma.ticketAttachment.count(), await chunks(), await db.prisma.ticketNote.count()]).toEqual([
      a,
      c,
      n,
    ]);
  });

  it('a colleague with only MANAGE_OWN_TICKETS gets 404 for the file; a malformed id is 404', async () => {
    const file = await db.prisma.ticketAttachment.findFirstOrThrow({ where: { ticketId: ticket.id } });
    const agent = await agentFor(colleague.email);
    expect((await agent.get(`/tickets/${ticket.id}/attachments/${file.id}`)).status).toBe(404);
    expect((await agent.get(`/tickets/${ticket.id}/attachments/abc`)).status).toBe(404);
  });
});
