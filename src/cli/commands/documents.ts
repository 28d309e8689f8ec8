import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, id, parse, staffActor, type CliDeps } from '../validate.js';
import { readInputFile } from './invoices.js';
import { FILE_TYPES, MAX_DOCUMENT_BYTES } from '../../features/downloads/files.js';
import { documentFileName } from '../../features/downloads/staff.js';
import { amsterdamToday } from '../../calendar.js';
import { PRODUCT_INFO_MAX_BYTES } from '../../features/downloads/product-info-staff.js';
import { parseDay } from '../../features/invoices/filters.js';
import { AppError } from '../../http/errors.js';

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

const DocumentAdd = z.object({ kind, org: id.optional(), date: day.optional(), name: documentFileName.optional() });
const DocumentList = z.object({ kind: kind.optional(), org: id.optional() });
const OnOff = z.enum(['on', 'off'], 'must be on or off');

/** A service's refusal as the one-line error naming the option (or argument) it is about. */
const asCli =
  (options: Record<string, string>) =>
  (e: unknown): never => {
    if (e instanceof AppError && e.field) throw new CliError(`${options[e.field] ?? `--${e.field}`}: ${e.detail}`);
    throw e;
  };

/** Registers `document:add`, `document:list`, `document:remove`, `org:set-reports` and `product-info:set`. */
export function registerDocumentsCommands(program: Command, ctx: CliDeps): void {
  const { documents, productInfo } = ctx.services;

  program
    .command('document:add')
    .description(
      `add a manual, product information or a report (${FILE_TYPES.map((f) => f.ext.join('/')).join(', ')}; reports PDF only; checked by content; at most 20 MB); a report mails everyone who opted in and may see it`,
    )
    .requiredOption('--kind <kind>', 'manual, product or report')
    .option('--org <id>', 'only for this organisation (required for a report; default for the others: every customer)')
    .option('--date <date>', 'document date, e.g. 2017-06-19 (default: today)')
    .option('--name <name>', "file name shown and downloaded (default: the file's own name)")
    .argument('<file>', 'the file')
    .action(async (file: string, raw: Record<string, unknown>) => {
      const o = parse(DocumentAdd, raw);
      const fileName = o.name ?? path.basename(file);
      const content = readInputFile('<file>', file, MAX_DOCUMENT_BYTES);
      const result = await documents
        .add(staffActor(), {
          kind: o.kind,
          organizationId: o.org ?? null,
          fileName,
          documentDate: o.date ?? amsterdamToday(ctx.now()),
          content,
        })
        .catch(asCli({ file: '<file>', fileName: '--name', organizationId: '--org', kind: '--kind' }));
      ctx.out(
        `document ${result.id} added: ${fileName} (${KIND_NAMES[o.kind]}, ${result.organization ? `organisation ${result.organization.id}` : 'every customer'})`,
      );
      if (o.kind === 'REPORT') {
        if (!result.organization!.reportsInContract) {
          const orgId = result.organization!.id;
          ctx.out(
            `note: the contract of organisation ${orgId} does not include reports; nobody sees this report until org:set-reports ${orgId} on`,
          );
        }
        ctx.out(`report mail queued for ${result.mailed.length} ${result.mailed.length === 1 ? 'person' : 'people'}`);
      }
    });

  program
    .command('document:list')
    .description(
      'list documents, tab-separated: id, kind, organisation id (* = every customer), file name, size in bytes, date',
    )
    .option('--kind <kind>', 'manual, product or report')
    .option('--org <id>', "only this organisation's documents")
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(DocumentList, raw);
      const rows = await documents.staffList(o);
      for (const r of rows)
        ctx.out(
          [
            r.id,
            KIND_NAMES[r.kind],
            r.organizationId ?? '*',
            r.fileName,
            r.size,
            r.documentDate.toISOString().slice(0, 10),
          ].join('\t'),
        );
    });

  program
    .command('document:remove')
    .description('remove a document')
    .argument('<id>', 'document id')
    .action(async (rawId: string) => {
      const docId = parse(z.object({ id }), { id: rawId }, ['id']).id;
      const removed = await documents.remove(staffActor(), docId).catch(asCli({ id: '<id>' }));
      ctx.out(`document ${removed.id} removed: ${removed.fileName}`);
    });

  program
    .command('org:set-reports')
    .description("whether the organisation's contract includes reports (the Rapportages page and its mails)")
    .argument('<id>', 'organisation id')
    .argument('<onOff>', 'on or off')
    .action(async (rawId: string, rawOn: string) => {
      const a = parse(z.object({ id, onOff: OnOff }), { id: rawId, onOff: rawOn.trim().toLowerCase() }, [
        'id',
        'onOff',
      ]);
      const on = a.onOff === 'on';
      await ctx.services.organisations.setSettings(staffActor(), a.id, { reportsInContract: on });
      ctx.out(`organisation ${a.id}: reports in contract ${a.onOff}`);
    });

  program
    .command('product-info:set')
    .description(
      'set the text of Downloads › Productinformatie from Markdown files (HTML is shown as text); --reset restores the default text',
    )
    .option('--nl <file>', 'the Dutch text (Markdown)')
    .option('--en <file>', 'the English text (Markdown; default: the Dutch text)')
    .option('--reset', 'remove the staff text: the page shows its default text again')
    .action(async (raw: { nl?: string; en?: string; reset?: boolean }) => {
      if (raw.reset) {
        await productInfo.reset(staffActor());
        ctx.out('product information: default text restored');
        return;
      }
      if (!raw.nl) throw new CliError('--nl: the Dutch text is required (or --reset)');
      const read = (opt: string, f: string) => {
        const s = readInputFile(opt, f, PRODUCT_INFO_MAX_BYTES)
          .toString('utf8')
          .replace(/^\uFEFF/, '');
        if (!s.trim()) throw new CliError(`${opt}: the file is empty: ${f}`);
        return s;
      };
      const bodyNl = read('--nl', raw.nl);
      const bodyEn = raw.en ? read('--en', raw.en) : null;
      await productInfo.set(staffActor(), { bodyNl, bodyEn }).catch(asCli({ bodyNl: '--nl', bodyEn: '--en' }));
      ctx.out(`product information updated (${bodyNl.length} characters${bodyEn ? `, English ${bodyEn.length}` : ''})`);
    });
}
