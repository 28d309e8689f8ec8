import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { CliError, collect, id, parse, staffActor, text, type CliDeps } from '../validate.js';
import { AppError, refuse } from '../../http/errors.js';
import { parseInvoiceCsv, parseInvoiceJson, readHead, readLine, withTotals } from '../../features/invoices/import.js';
import { MAX_PDF_BYTES, pdfRefusal } from '../../features/invoices/store.js';
import { formatCents } from '../../features/invoices/money.js';

const MAX_IMPORT_BYTES = 200 * 1024 * 1024;

const InvoiceAdd = z.object({
  number: z.string(),
  org: id,
  title: z.string(),
  date: z.string(),
  paymentTerm: z.string().optional(),
  orgName: text().optional(),
  credits: z.string().optional(),
  line: z.array(z.string()).min(1, 'give at least one --line "description;quantity;unit price;VAT rate"'),
  pdf: z.string().optional(),
});

/** Reads a file staff named, refusing a missing, empty or too large one with the option's name. */
export function readInputFile(option: string, file: string, max: number): Buffer {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error();
    size = st.size;
  } catch {
    throw new CliError(`${option}: no such file: ${file}`);
  }
  if (size === 0) throw new CliError(`${option}: the file is empty: ${file}`);
  if (size > max) throw new CliError(`${option}: the file is larger than ${Math.round(max / 1024 / 1024)} MB: ${file}`);
  return readFileSync(file);
}

/** Registers `invoice:add` and `invoice:import`. */
export function registerInvoicesCommands(program: Command, ctx: CliDeps): void {
  const { invoices: service } = ctx.services;

  program
    .command('invoice:add')
    .description(
      'add one invoice with its lines; amounts excl. VAT, VAT per rate and totals are computed from the lines',
    )
    .requiredOption('--number <number>', 'invoice number (unique)')
    .requiredOption('--org <id>', 'organisation id')
    .requiredOption('--title <title>', 'invoice title')
    .requiredOption('--date <date>', 'invoice date, e.g. 2017-07-06')
    .option('--payment-term <days>', 'payment term in days (default 30)')
    .option('--org-name <name>', "organisation name on the invoice (default: the organisation's name)")
    .option('--credits <number>', 'a credit invoice (negative total): the number of the invoice it credits')
    .option(
      '--line <line>',
      'a line "description;quantity;unit price;VAT rate", e.g. "Helpdesk juni;1;125.50;21" (repeat)',
      collect,
      [],
    )
    .option('--pdf <file>', 'the invoice as PDF, served instead of the generated one')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(InvoiceAdd, raw);
      const head = readHead(
        '',
        {
          '--number': o.number,
          '--org': String(o.org),
          '--title': o.title,
          '--date': o.date,
          '--payment-term': o.paymentTerm,
          '--org-name': o.orgName,
          '--credits': o.credits,
        },
        {
          number: '--number',
          org: '--org',
          title: '--title',
          date: '--date',
          term: '--payment-term',
          orgName: '--org-name',
          credits: '--credits',
        },
      );
      // A description may hold ";": the last three fields are the numbers.
      const lines = o.line.map((l) => {
        const parts = l.split(';');
        if (parts.length < 4)
          throw refuse('line', `expected "description;quantity;unit price;VAT rate": "${l}"`, { where: '--line' });
        const [vatRate, unitPrice, quantity] = [parts.pop(), parts.pop(), parts.pop()];
        const names = {
          description: 'description',
          quantity: 'quantity',
          unitPrice: 'unit price',
          vatRate: 'VAT rate',
        };
        return readLine(
          '--line',
          { description: parts.join(';'), quantity, 'unit price': unitPrice, 'VAT rate': vatRate },
          names,
        );
      });
      const invoice = withTotals({ ...head, organizationName: o.orgName ?? head.organizationName }, lines, '', '');
      let pdf: Buffer | undefined;
      if (o.pdf !== undefined) {
        pdf = readInputFile('--pdf', o.pdf, MAX_PDF_BYTES);
        const refusal = pdfRefusal(pdf);
        if (refusal) throw new CliError(`--pdf: ${refusal}: ${o.pdf}`);
      }
      await service.add(staffActor(), invoice, { pdf }).catch((e: unknown) => {
        // The service names the input's columns; here they are the options.
        const option = { number: '--number', organization_id: '--org', credits_invoice: '--credits' }[
          e instanceof AppError ? (e.field ?? '') : ''
        ];
        if (e instanceof AppError && option) throw refuse(option, e.detail ?? '');
        throw e;
      });
      ctx.out(
        `invoice ${invoice.number} added: ${invoice.title}, ${formatCents(invoice.exclCents)} excl. VAT, ${formatCents(invoice.exclCents + invoice.vatCents)} incl. VAT${pdf ? ', with its PDF' : ''}`,
      );
    });

  program
    .command('invoice:import')
    .description(
      'import invoices from CSV (one row per line: number;organization_id;title;date;payment_term_days;organization_name;description;quantity;unit_price;vat_rate, optionally credits_invoice) or JSON; all or nothing',
    )
    .argument('<file>', 'the .csv or .json file')
    .option('--format <format>', 'csv or json (default: from the file name)')
    .option('--no-progress', 'no progress bar (it is only shown on a terminal anyway)')
    .action(async (file: string, raw: { format?: string; progress: boolean }) => {
      const format = (raw.format ?? (/\.json$/i.test(file) ? 'json' : 'csv')).toLowerCase();
      if (format !== 'csv' && format !== 'json') throw new CliError('--format: must be csv or json');
      const body = readInputFile('<file>', file, MAX_IMPORT_BYTES).toString('utf8');
      const invoices = format === 'json' ? parseInvoiceJson(body) : parseInvoiceCsv(body);
      if (invoices.length === 0) throw new CliError('<file>: no invoices in the file');
      const bar =
        raw.progress && process.stderr.isTTY
          ? new cliProgress.SingleBar(
              { stream: process.stderr, format: 'importing [{bar}] {value}/{total} invoices', hideCursor: true },
              cliProgress.Presets.shades_classic,
            )
          : null;
      try {
        // The bar starts once every invoice has passed the database's checks.
        await service.import(staffActor(), invoices, {
          checked: () => bar?.start(invoices.length, 0),
          progress: (n) => bar?.update(n),
        });
      } finally {
        bar?.stop();
      }
      const lines = invoices.reduce((n, i) => n + i.lines.length, 0);
      ctx.out(`${invoices.length} invoices imported with ${lines} lines`);
    });
}
