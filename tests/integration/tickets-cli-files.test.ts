import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { makeOrg, makePerson } from '../support/factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import { FILES } from '../support/files.js';
import { runCli } from '../../src/cli/program.js';

let db: TestDb;
const dir = mkdtempSync(path.join(tmpdir(), 'pim-ticket-files-'));

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
    now: () => new Date('2026-03-02T10:00:00Z'),
    baseUrl: 'http://pim.test',
  });
  return { code, out, err };
}
const file = (name: string, body: Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, body);
  return p;
};
const chunks = async () =>
  Number((await db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM stored_file_chunks`)[0]!.n);

describe('ticket:reply --attach and ticket:show', () => {
  it('adds the files to the reply; ticket:show lists name, type, size and who', async () => {
    const org = await makeOrg(db.prisma);
    const reporter = await makePerson(db.prisma, org.id, {
      roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'],
      lastName: 'Bakker',
    });
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id });
    const r = await run(
      'ticket:reply',
      String(t.id),
      '--body',
      'Zie bijlage',
      '--staff-name',
      'Ellen',
      '--attach',
      file('handleiding.pdf', FILES.pdf()),
      '--attach',
      file('export.log', FILES.log(4)),
    );
    expect(r.err).toEqual([]);
    expect(r.out).toEqual([
      `ticket ${t.id}: reply ${(await db.prisma.ticketNote.findFirstOrThrow({ where: { ticketId: t.id } })).id} added with 2 file(s) (1 mailed)`,
    ]);
    const show = await run('ticket:show', String(t.id));
    const lines = show.out.filter((l) => l.startsWith('file '));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^file \\d+ handleiding\\.pdf  application/pdf  ${FILES.pdf().length} bytes  by Ellen \\(Vcare\\)  2026-03-02 10:00Z  \\(note\\)$`,
      ),
    );
    expect(lines[1]).toMatch(/^file \d+ export\.log {2}text\/plain {2}\d+ bytes {2}by Ellen \(Vcare\)/);
  });

  it('refuses a program and writes nothing: no note, no file, no stored bytes', async () => {
    const org = await makeOrg(db.prisma);
    const t = await makeTicket(db.prisma, org.id);
    const before = [
      await db.prisma.ticketNote.count(),
      await db.prisma.ticketAttachment.count(),
      await chunks(),
      await db.prisma.mailOutbox.count(),
    ];
    const r = await run(
      'ticket:reply',
      String(t.id),
      '--body',
      'x',
      '--attach',
      file('ok.pdf', FILES.pdf()),
      '--attach',
      file('setup.pdf', FILES.exe()),
    );
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      `error: --attach: ${path.join(dir, 'setup.pdf')}: not an accepted kind of file (images, PDF, Office, text, logs, ZIP), judged by its content`,
    ]);
    expect([
      await db.prisma.ticketNote.count(),
      await db.prisma.ticketAttachment.count(),
      await chunks(),
      await db.prisma.mailOutbox.count(),
    ]).toEqual(before);
  });
});
