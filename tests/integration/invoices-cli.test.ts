import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedBytes } from '../support/invoices-factories.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { makeOrg, makePerson } from '../support/factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { runCli } from '../../src/cli/program.js';
import { deliverDue, smtpTransport } from '../../src/mail/mailer.js';
import type { Role } from '../../src/auth/roles.js';

let db: TestDb;
let smtp: TestSmtp;
const dir = mkdtempSync(path.join(tmpdir(), 'pim-invoice-cli-'));
const BASE_URL = 'https://pim.example.test';

beforeAll(async () => {
  db = await createTestDb();
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    prisma: db.prisma,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => new Date('2026-03-02T10:00:00Z'),
    baseUrl: BASE_URL,
  });
  return { code, out, err };
}

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function counts() {
  const p = db.prisma;
  const [invoices, lines, documents, mails, audits] = await Promise.all([
    p.invoice.count(),
    p.invoiceLine.count(),
    p.document.count(),
    p.mailOutbox.count(),
    p.auditEvent.count(),
  ]);
  return { invoices, lines, documents, mails, audits };
}

/** A command that must be refused: exit 1, one line naming the field, nothing written. */
async function expectRefused(argv: string[], pattern: RegExp) {
  const before = await counts();
  const r = await run(...argv);
  expect(r.code).toBe(1);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]).toMatch(pattern);
  expect(await counts()).toEqual(before);
}

const PDF = Buffer.concat([
  Buffer.from('%PDF-1.7\n'),
  Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0x0a]),
  Buffer.from('1 0 obj <<>> endobj\n%%EOF\n'),
]);

describe('invoice:add', () => {
  it('adds an invoice with its lines; totals (VAT per rate) computed in cents; an optional stored PDF', async () => {
    const org = await makeOrg(db.prisma, { name: 'Huisartsenpost Oost' });
    const r = await run(
      'invoice:add',
      '--number',
      '200001',
      '--org',
      String(org.id),
      '--title',
      'Maandfactuur juli',
      '--date',
      '2017-07-06',
      '--line',
      'Helpdesk; juni;1;125.50;21',
      '--line',
      'Boek;3;12,99;9',
      '--pdf',
      file('f.pdf', PDF),
    );
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out).toEqual([
      'invoice 200001 added: Maandfactuur juli, € 164,47 excl. VAT, € 194,34 incl. VAT, with its PDF',
    ]);
    const inv = await db.prisma.invoice.findUniqueOrThrow({
      where: { number: 200001 },
      include: { lines: { orderBy: { position: 'asc' } } },
    });
    expect(inv.amountExclVat.toString()).toBe('164.47');
    expect(inv.vatAmount.toString()).toBe('29.87'); // 21% of 125,50 = 26,355 -> 26,36; 9% of 38,97 = 3,5073 -> 3,51
    expect(inv.organizationName).toBe('Huisartsenpost Oost');
    expect(inv.paymentTermDays).toBe(30);
    expect(
      inv.lines.map((l) => [
        l.description,
        l.quantity.toString(),
        l.unitPrice.toString(),
        l.vatRate.toString(),
        l.amountExclVat.toString(),
      ]),
    ).toEqual([
      ['Helpdesk; juni', '1', '125.5', '21', '125.5'],
      ['Boek', '3', '12.99', '9', '38.97'],
    ]);
    expect(Buffer.compare((await storedBytes(db.prisma, inv.pdfKey))!, PDF)).toBe(0);
    expect(await db.prisma.auditEvent.count({ where: { kind: 'invoice.created', subjectId: '200001' } })).toBe(1);
  });

  it('refuses bad input with one line naming the field, and writes nothing', async () => {
    const org = await makeOrg(db.prisma);
    const base = ['invoice:add', '--number', '200002', '--org', String(org.id), '--title', 'T', '--date', '2017-07-06'];
    await expectRefused([...base, '--line', 'Helpdesk;abc;1;21'], /^error: --line: quantity: /);
    await expectRefused([...base, '--line', 'Helpdesk;1;1.234;21'], /^error: --line: unit price: /);
    await expectRefused([...base, '--line', 'Helpdesk;1;1'], /^error: --line: /);
    await expectRefused(base, /^error: --line: /);
    await expectRefused(
      [
        'invoice:add',
        '--number',
        '200002',
        '--org',
        String(org.id),
        '--title',
        'T',
        '--date',
        '2017-02-30',
        '--line',
        'a;1;1;21',
      ],
      /^error: --date: /,
    );
    await expectRefused(
      [
        'invoice:add',
        '--number',
        '200002',
        '--org',
        '999999',
        '--title',
        'T',
        '--date',
        '2017-07-06',
        '--line',
        'a;1;1;21',
      ],
      /^error: --org: no organisation/,
    );
    await expectRefused(
      [
        'invoice:add',
        '--number',
        '200001',
        '--org',
        String(org.id),
        '--title',
        'T',
        '--date',
        '2017-07-06',
        '--line',
        'a;1;1;21',
      ],
      /^error: --number: invoice 200001 already exists/,
    );
    await expectRefused(
      [...base, '--line', 'a;1;1;21', '--pdf', file('not.pdf', 'hello, not a pdf')],
      /^error: --pdf: not a PDF/,
    );
    await expectRefused(
      [...base, '--line', 'a;1;1;21', '--pdf', path.join(dir, 'missing.pdf')],
      /^error: --pdf: no such file/,
    );
  });
});

describe('invoice:import', () => {
  const HEADER =
    'number;organization_id;title;date;payment_term_days;organization_name;description;quantity;unit_price;vat_rate';

  it('imports thousands of rows (CSV, one row per line) in one go', async () => {
    const orgs = [await makeOrg(db.prisma), await makeOrg(db.prisma)];
    const rows = [HEADER];
    for (let i = 0; i < 2000; i++) {
      const org = orgs[i % 2]!.id;
      rows.push(`${400000 + i};${org};Maandfactuur ${i};2017-07-06;14;;Abonnement;1;100,00;21`);
      rows.push(`${400000 + i};${org};Maandfactuur ${i};2017-07-06;14;;"Gesprekken; binnenland";2,5;0,10;21`);
    }
    const started = Date.now();
    const r = await run('invoice:import', file('big.csv', '\uFEFF' + rows.join('\r\n') + '\r\n'));
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out).toEqual(['2000 invoices imported with 4000 lines']);
    console.log(`invoice:import of 2000 invoices with 4000 lines: ${Date.now() - started} ms`);
    const one = await db.prisma.invoice.findUniqueOrThrow({ where: { number: 401999 }, include: { lines: true } });
    expect(one.amountExclVat.toString()).toBe('100.25');
    expect(one.vatAmount.toString()).toBe('21.05'); // 21% of 100,25 = 21,0525
    expect(one.paymentTermDays).toBe(14);
    expect(one.lines).toHaveLength(2);
    expect(await db.prisma.invoice.count({ where: { number: { gte: 400000, lt: 402000 } } })).toBe(2000);
  });

  it('a bad row names its line and field, and nothing is imported', async () => {
    const org = await makeOrg(db.prisma);
    const rows = [HEADER];
    for (let i = 0; i < 30; i++) rows.push(`${500000 + i};${org.id};Factuur ${i};2017-07-06;;;Regel;1;10;21`);
    rows[16] = `500015;${org.id};Factuur 15;2017-07-06;;;Regel;een;10;21`; // line 17 of the file
    await expectRefused(
      ['invoice:import', file('bad.csv', rows.join('\n'))],
      /^error: line 17: quantity: not a number/,
    );
    rows[16] = `500015;${org.id};Factuur 15;6-7-2017;;;Regel;1;10;21`;
    rows[25] = `500024;999999;Factuur 24;2017-07-06;;;Regel;1;10;21`;
    await expectRefused(
      ['invoice:import', file('bad2.csv', rows.join('\n'))],
      /^error: line 26: organization_id: no organisation with id 999999/,
    );
    rows[25] = `500024;${org.id};Factuur 24;2017-07-06;;;Regel;1;10;21`;
    rows[29] = `500001;${org.id};Een andere titel;2017-07-06;;;Regel;1;10;21`;
    await expectRefused(
      ['invoice:import', file('bad3.csv', rows.join('\n'))],
      /^error: line 30: title: differs from line 3 for invoice 500001/,
    );
    rows[29] = `200001;${org.id};Bestaat al;2017-07-06;;;Regel;1;10;21`;
    await expectRefused(
      ['invoice:import', file('bad4.csv', rows.join('\n'))],
      /^error: line 30: number: invoice 200001 already exists/,
    );
    await expectRefused(
      ['invoice:import', file('bad5.csv', 'number;title\n1;x\n')],
      /^error: line 1: organization_id: column missing/,
    );
    expect(await db.prisma.invoice.count({ where: { number: { gte: 500000, lt: 500100 } } })).toBe(0);
    // Fixed, the same file imports.
    rows[29] = `500028;${org.id};Factuur 28;2017-07-06;;;Regel;1;10;21`;
    expect((await run('invoice:import', file('good.csv', rows.join('\n')))).code).toBe(0);
    expect(await db.prisma.invoice.count({ where: { number: { gte: 500000, lt: 500100 } } })).toBe(30);
  });

  it('imports JSON; a bad item is named', async () => {
    const org = await makeOrg(db.prisma);
    const items = [
      {
        number: 600001,
        organizationId: org.id,
        title: 'JSON 1',
        date: '2017-07-06',
        lines: [{ description: 'A', quantity: 2, unitPrice: '10.10', vatRate: 21 }],
      },
      {
        number: 600002,
        organizationId: org.id,
        title: 'JSON 2',
        date: '2017-07-06',
        organizationName: 'Naam op factuur',
        lines: [{ description: 'B', quantity: 1, unitPrice: 5, vatRate: 0 }],
      },
    ];
    await expectRefused(
      ['invoice:import', file('bad.json', JSON.stringify([items[0], { ...items[1], lines: [] }]))],
      /^error: item 2: lines: /,
    );
    await expectRefused(
      [
        'invoice:import',
        file(
          'bad2.json',
          JSON.stringify([
            items[0],
            { ...items[1], lines: [{ description: 'B', quantity: 1, unitPrice: 'x', vatRate: 0 }] },
          ]),
        ),
      ],
      /^error: item 2, line 1: unitPrice: /,
    );
    const r = await run('invoice:import', file('good.json', JSON.stringify(items)));
    expect(r).toMatchObject({ code: 0, out: ['2 invoices imported with 2 lines'] });
    expect((await db.prisma.invoice.findUniqueOrThrow({ where: { number: 600001 } })).amountExclVat.toString()).toBe(
      '20.2',
    );
    expect((await db.prisma.invoice.findUniqueOrThrow({ where: { number: 600002 } })).organizationName).toBe(
      'Naam op factuur',
    );
  });
});

describe('document:add, document:list, document:remove, org:set-reports', () => {
  it('adds manuals and product information for everyone or one organisation; refuses files whose content is not what the name says', async () => {
    const org = await makeOrg(db.prisma);
    const r = await run(
      'document:add',
      '--kind',
      'manual',
      '--date',
      '2017-06-19',
      file('Recorder Handleiding 1.0.pdf', PDF),
    );
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out[0]).toMatch(/^document \d+ added: Recorder Handleiding 1\.0\.pdf \(manual, every customer\)$/);
    expect(
      (
        await run(
          'document:add',
          '--kind',
          'product',
          '--org',
          String(org.id),
          '--name',
          'Brochure Één.pdf',
          file('b.pdf', PDF),
        )
      ).code,
    ).toBe(0);
    const docs = await db.prisma.document.findMany({ orderBy: { id: 'asc' } });
    expect(docs.map((d) => [d.kind, d.organizationId, d.fileName, d.size, d.contentType])).toEqual([
      ['MANUAL', null, 'Recorder Handleiding 1.0.pdf', PDF.length, 'application/pdf'],
      ['PRODUCT_INFO', org.id, 'Brochure Één.pdf', PDF.length, 'application/pdf'],
    ]);
    const list = await run('document:list');
    expect(list.out).toEqual([
      `${docs[0]!.id}\tmanual\t*\tRecorder Handleiding 1.0.pdf\t${PDF.length}\t2017-06-19`,
      `${docs[1]!.id}\tproduct\t${org.id}\tBrochure Één.pdf\t${PDF.length}\t2026-03-02`,
    ]);

    await expectRefused(
      ['document:add', '--kind', 'manual', file('fake.pdf', 'MZ not a pdf at all')],
      /^error: <file>: /,
    );
    await expectRefused(
      [
        'document:add',
        '--kind',
        'report',
        '--org',
        String(org.id),
        file('img.png', Buffer.from('\x89PNG\r\n\x1a\nxxxx', 'latin1')),
      ],
      /^error: <file>: a report must be a PDF/,
    );
    await expectRefused(['document:add', '--kind', 'report', file('r.pdf', PDF)], /^error: --org: /);
    await expectRefused(['document:add', '--kind', 'brochure', file('r2.pdf', PDF)], /^error: --kind: /);
    await expectRefused(
      ['document:add', '--kind', 'manual', '--org', '999999', file('r3.pdf', PDF)],
      /^error: --org: no organisation/,
    );
    const big = file('big.pdf', PDF);
    truncateSync(big, 21 * 1024 * 1024);
    await expectRefused(['document:add', '--kind', 'manual', big], /^error: <file>: the file is larger than 20 MB/);

    const removed = await run('document:remove', String(docs[0]!.id));
    expect(removed).toMatchObject({ code: 0, out: [`document ${docs[0]!.id} removed: Recorder Handleiding 1.0.pdf`] });
    expect(await db.prisma.document.count({ where: { id: docs[0]!.id } })).toBe(0);
    await expectRefused(['document:remove', String(docs[0]!.id)], /^error: <id>: no document/);
  });

  it('a new report mails exactly the people who opted in and may see it, once each, in the same transaction', async () => {
    const p = db.prisma;
    const parent = await makeOrg(p, { name: 'Zorggroep Twente', reportsInContract: true });
    const sub = await makeOrg(p, { name: 'Huisartsenpost Hengelo', parentId: parent.id, reportsInContract: true });
    const other = await makeOrg(p, { name: 'Zorggroep Elders', reportsInContract: true });
    const person = async (
      orgId: number,
      roles: Role[],
      over: { optIn?: boolean; webAccess?: boolean; active?: boolean; main?: boolean } = {},
    ) => {
      const c = await makePerson(p, orgId, { roles, webAccess: over.webAccess, active: over.active, main: over.main });
      await p.contact.update({ where: { id: c.id }, data: { reportMailOptIn: over.optIn ?? true } });
      return c.email!;
    };
    const R: Role[] = ['PORTAL_ACCESS', 'VIEW_REPORTS'];
    const yes = [
      await person(parent.id, [...R, 'SUBSIDIARY_ACCESS']), // the parent, with access to subsidiaries
      await person(sub.id, R), // the subsidiary itself
      await person(sub.id, [], { main: true }), // the subsidiary's main contact holds every role
    ];
    const no = [
      await person(parent.id, R), // the parent without SUBSIDIARY_ACCESS
      await person(sub.id, R, { optIn: false }), // did not opt in
      await person(sub.id, ['PORTAL_ACCESS']), // no VIEW_REPORTS
      await person(sub.id, ['VIEW_REPORTS']), // may not log in (no PORTAL_ACCESS)
      await person(sub.id, R, { webAccess: false }), // no web access
      await person(sub.id, R, { active: false }), // inactive
      await person(other.id, R), // another customer
    ];
    const before = await p.mailOutbox.count();
    const r = await run(
      'document:add',
      '--kind',
      'report',
      '--org',
      String(sub.id),
      '--date',
      '2017-07-17',
      file('week28 Patiënten.pdf', PDF),
    );
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out[1]).toBe('report mail queued for 3 people');
    expect(await p.mailOutbox.count()).toBe(before + 3);

    expect(await deliverDue(p, smtpTransport(smtp.url), 'PIM <noreply@pim.test>')).toBeGreaterThanOrEqual(3);
    const mails = await smtp.waitFor(3);
    const to = mails.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)!.value[0]!.address);
    expect(to.sort()).toEqual([...yes].sort());
    for (const e of no) expect(to).not.toContain(e);
    expect(mails[0]!.subject).toBe('Er staat een nieuwe rapportage voor u klaar in PIM');
    expect(mails[0]!.text).toContain('week28 Patiënten.pdf');
    expect(mails[0]!.text).toContain(`${BASE_URL}/downloads/reports`);
    expect(mails[0]!.text).toContain('Huisartsenpost Hengelo');

    // The contract flag: off for the subsidiary, nobody is mailed (and the CLI says why).
    expect((await run('org:set-reports', String(sub.id), 'off')).out).toEqual([
      `organisation ${sub.id}: reports in contract off`,
    ]);
    const again = await run('document:add', '--kind', 'report', '--org', String(sub.id), file('week29.pdf', PDF));
    expect(again.out.slice(1)).toEqual([
      `note: the contract of organisation ${sub.id} does not include reports; nobody sees this report until org:set-reports ${sub.id} on`,
      'report mail queued for 0 people',
    ]);
    // Off for the parent only: the parent's people lose VIEW_REPORTS; the subsidiary's keep it.
    await run('org:set-reports', String(sub.id), 'on');
    await run('org:set-reports', String(parent.id), 'off');
    const third = await run('document:add', '--kind', 'report', '--org', String(sub.id), file('week30.pdf', PDF));
    expect(third.out[1]).toBe('report mail queued for 2 people');
    expect(await p.auditEvent.count({ where: { kind: 'organization.reports' } })).toBe(3);
    await expectRefused(['org:set-reports', String(sub.id), 'maybe'], /^error: <onOff>: must be on or off/);
    await expectRefused(['org:set-reports', '999999', 'on'], /^error: <id>: no organisation/);
  });
});
