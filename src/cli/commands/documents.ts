import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { recordAudit } from '../../audit.js';
import { CliError, id, parse, staffActor, text, type CliContext } from '../validate.js';
import { readInputFile } from './invoices.js';
import { detectContentType, FILE_TYPES, MAX_DOCUMENT_BYTES } from '../../features/downloads/files.js';
import { loadTicketConfig } from '../../config.js';
import { notifyNewReport } from '../../features/downloads/report-mail.js';
import { PRODUCT_INFO_KEY } from '../../features/downloads/content.js';
import { parseDay } from '../../features/invoices/filters.js';

const KINDS = { manual: 'MANUAL', product: 'PRODUCT_INFO', report: 'REPORT' } as const;
const KIND_NAMES = { MANUAL: 'manual', PRODUCT_INFO: 'product', REPORT: 'report' } as const;
const kind = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['manual', 'product', 'report'], 'must be manual, product or report'))
  .transform((k) => KINDS[k]);
const day = z.string().transform((v, c) => {
  const d = parseDay(v.trim());
  if (!d) {
    c.addIssue({ code: 'custom', message: `not a date: "${v}" (e.g. 2017-06-19)` });
    return z.NEVER;
  }
  return d;
});

const DocumentAdd = z.object({ kind, org: id.optional(), date: day.optional(), name: text(200).optional() });
const DocumentList = z.object({ kind: kind.optional(), org: id.optional() });
const OnOff = z.enum(['on', 'off'], 'must be on or off');
const MAX_CONTENT_BYTES = 50_000;

/** Amsterdam's today as a DATE value. */
function today(now: Date): Date {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(now).split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!));
}

/** Registers `document:add`, `document:list`, `document:remove`, `org:set-reports` and `product-info:set`. */
export function registerDocumentsCommands(program: Command, ctx: CliContext): void {
  const { prisma } = ctx;

  program
    .command('document:add')
    .description(`add a manual, product information or a report (${FILE_TYPES.map((f) => f.ext.join('/')).join(', ')}; reports PDF only; checked by content; at most 20 MB); a report mails everyone who opted in and may see it`)
    .requiredOption('--kind <kind>', 'manual, product or report')
    .option('--org <id>', 'only for this organisation (required for a report; default for the others: every customer)')
    .option('--date <date>', 'document date, e.g. 2017-06-19 (default: today)')
    .option('--name <name>', 'file name shown and downloaded (default: the file\'s own name)')
    .argument('<file>', 'the file')
    .action(async (file: string, raw: Record<string, unknown>) => {
      const o = parse(DocumentAdd, raw);
      if (o.kind === 'REPORT' && o.org === undefined) throw new CliError('--org: a report belongs to one organisation');
      const fileName = o.name ?? path.basename(file);
      const content = readInputFile('<file>', file, MAX_DOCUMENT_BYTES);
      const contentType = detectContentType(fileName, content.subarray(0, 16), o.kind === 'REPORT');
      if (!contentType) {
        throw new CliError(
          o.kind === 'REPORT'
            ? `<file>: a report must be a PDF (a .pdf name and content starting with %PDF-): ${fileName}`
            : `<file>: the name's extension and the content do not agree, or the type is not allowed (${FILE_TYPES.map((f) => f.ext.join('/')).join(', ')}): ${fileName}`,
        );
      }
      const result = await prisma.$transaction(async (tx) => {
        const org = o.org === undefined ? null : await tx.organization.findUnique({ where: { id: o.org }, select: { id: true, name: true, reportsInContract: true } });
        if (o.org !== undefined && !org) throw new CliError(`--org: no organisation with id ${o.org}`);
        const doc = await tx.document.create({
          data: { kind: o.kind, organizationId: org?.id ?? null, fileName, contentType, size: content.length, content: new Uint8Array(content), documentDate: o.date ?? today(ctx.now()) },
          select: { id: true },
        });
        await recordAudit(tx, {
          actor: staffActor(),
          kind: 'document.created',
          organizationId: org?.id ?? null,
          subjectType: 'document',
          subjectId: doc.id,
          after: { kind: o.kind, fileName, contentType, size: content.length },
        });
        const mailed = o.kind === 'REPORT' ? await notifyNewReport(tx, { organizationId: org!.id, fileName }, ctx.baseUrl, loadTicketConfig().linkSecret) : [];
        return { id: doc.id, org, mailed };
      });
      ctx.out(`document ${result.id} added: ${fileName} (${KIND_NAMES[o.kind]}, ${result.org ? `organisation ${result.org.id}` : 'every customer'})`);
      if (o.kind === 'REPORT') {
        if (!result.org!.reportsInContract) ctx.out(`note: the contract of organisation ${result.org!.id} does not include reports; nobody sees this report until org:set-reports ${result.org!.id} on`);
        ctx.out(`report mail queued for ${result.mailed.length} ${result.mailed.length === 1 ? 'person' : 'people'}`);
      }
    });

  program
    .command('document:list')
    .description('list documents, tab-separated: id, kind, organisation id (* = every customer), file name, size in bytes, date')
    .option('--kind <kind>', 'manual, product or report')
    .option('--org <id>', 'only this organisation\'s documents')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(DocumentList, raw);
      const rows = await prisma.document.findMany({
        where: { ...(o.kind ? { kind: o.kind } : {}), ...(o.org !== undefined ? { organizationId: o.org } : {}) },
        orderBy: [{ kind: 'asc' }, { documentDate: 'asc' }, { id: 'asc' }],
        select: { id: true, kind: true, organizationId: true, fileName: true, size: true, documentDate: true },
      });
      for (const r of rows) ctx.out([r.id, KIND_NAMES[r.kind], r.organizationId ?? '*', r.fileName, r.size, r.documentDate.toISOString().slice(0, 10)].join('\t'));
    });

  program
    .command('document:remove')
    .description('remove a document')
    .argument('<id>', 'document id')
    .action(async (rawId: string) => {
      const docId = parse(z.object({ id }), { id: rawId }, ['id']).id;
      const removed = await prisma.$transaction(async (tx) => {
        const doc = await tx.document.findUnique({ where: { id: docId }, select: { id: true, kind: true, organizationId: true, fileName: true, size: true } });
        if (!doc) throw new CliError(`<id>: no document with id ${docId}`);
        await tx.document.delete({ where: { id: docId } });
        await recordAudit(tx, { actor: staffActor(), kind: 'document.removed', organizationId: doc.organizationId, subjectType: 'document', subjectId: doc.id, before: { kind: doc.kind, fileName: doc.fileName, size: doc.size } });
        return doc;
      });
      ctx.out(`document ${removed.id} removed: ${removed.fileName}`);
    });

  program
    .command('org:set-reports')
    .description('whether the organisation\'s contract includes reports (the Rapportages page and its mails)')
    .argument('<id>', 'organisation id')
    .argument('<onOff>', 'on or off')
    .action(async (rawId: string, rawOn: string) => {
      const a = parse(z.object({ id, onOff: OnOff }), { id: rawId, onOff: rawOn.trim().toLowerCase() }, ['id', 'onOff']);
      const on = a.onOff === 'on';
      await prisma.$transaction(async (tx) => {
        const org = await tx.organization.findUnique({ where: { id: a.id }, select: { reportsInContract: true } });
        if (!org) throw new CliError(`<id>: no organisation with id ${a.id}`);
        await tx.organization.update({ where: { id: a.id }, data: { reportsInContract: on } });
        await recordAudit(tx, { actor: staffActor(), kind: 'organization.reports', organizationId: a.id, subjectType: 'organization', subjectId: a.id, before: { reportsInContract: org.reportsInContract }, after: { reportsInContract: on } });
      });
      ctx.out(`organisation ${a.id}: reports in contract ${a.onOff}`);
    });

  program
    .command('product-info:set')
    .description('set the text of Downloads › Productinformatie from Markdown files (HTML is shown as text); --reset restores the default text')
    .option('--nl <file>', 'the Dutch text (Markdown)')
    .option('--en <file>', 'the English text (Markdown; default: the Dutch text)')
    .option('--reset', 'remove the staff text: the page shows its default text again')
    .action(async (raw: { nl?: string; en?: string; reset?: boolean }) => {
      if (raw.reset) {
        await prisma.$transaction(async (tx) => {
          const before = await tx.pageContent.findUnique({ where: { key: PRODUCT_INFO_KEY } });
          await tx.pageContent.deleteMany({ where: { key: PRODUCT_INFO_KEY } });
          await recordAudit(tx, { actor: staffActor(), kind: 'pageContent.reset', subjectType: 'pageContent', subjectId: PRODUCT_INFO_KEY, before: before ? { bodyNl: before.bodyNl, bodyEn: before.bodyEn } : null });
        });
        ctx.out('product information: default text restored');
        return;
      }
      if (!raw.nl) throw new CliError('--nl: the Dutch text is required (or --reset)');
      const read = (opt: string, f: string) => {
        const s = readInputFile(opt, f, MAX_CONTENT_BYTES).toString('utf8').replace(/^\uFEFF/, '');
        if (!s.trim()) throw new CliError(`${opt}: the file is empty: ${f}`);
        return s;
      };
      const bodyNl = read('--nl', raw.nl);
      const bodyEn = raw.en ? read('--en', raw.en) : null;
      const updatedBy = (staffActor() as { staff: string }).staff;
      await prisma.$transaction(async (tx) => {
        const before = await tx.pageContent.findUnique({ where: { key: PRODUCT_INFO_KEY } });
        await tx.pageContent.upsert({ where: { key: PRODUCT_INFO_KEY }, create: { key: PRODUCT_INFO_KEY, bodyNl, bodyEn, updatedBy }, update: { bodyNl, bodyEn, updatedBy } });
        await recordAudit(tx, {
          actor: staffActor(),
          kind: 'pageContent.updated',
          subjectType: 'pageContent',
          subjectId: PRODUCT_INFO_KEY,
          before: before ? { bodyNl: before.bodyNl, bodyEn: before.bodyEn } : null,
          after: { bodyNl, bodyEn },
        });
      });
      ctx.out(`product information updated (${bodyNl.length} characters${bodyEn ? `, English ${bodyEn.length}` : ''})`);
    });
}
