import { Router, type Request, type Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { BuiltDeps } from '../../deps.js';
import { actorOf, holdsAny } from '../../auth/access.js';
import type { Actor } from '../../auth/actor.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { Role } from '../../auth/roles.js';
import { formatDate, translate } from '../../i18n/index.js';
import { sendCsv } from '../../http/csv.js';
import { sendDownload, startDownload } from '../../http/download.js';
import { pageInfo, parseListQuery, urlWith } from '../../http/list.js';
import { langOf } from '../../http/locals.js';
import { isoDay, parseInvoiceFilter, sixMonthsUpTo } from './filters.js';
import { csvAmount, toUnits } from './money.js';
import { invoiceFileName, renderInvoicePdf, VENDOR } from './pdf.js';
import { openInvoicePdf } from './store.js';
import { renderInvoiceUbl, ublFileName } from './ubl.js';
import { einvoiceProblems } from './einvoice.js';
import { idParam } from '../../http/params.js';
import { INVOICE_SORTS, invoiceScope, type InvoiceSort } from './service.js';
import { textOf } from '../../http/validation.js';

/** Reads the list's sort/page and filters; the services narrow the scope by the filter themselves. */
function readSelection(deps: BuiltDeps, req: Request, actor: Actor) {
  const list = parseListQuery<InvoiceSort>(req.query, {
    sorts: INVOICE_SORTS,
    defaultSort: 'number',
    defaultDir: 'desc',
  });
  const filter = parseInvoiceFilter(req.query, deps.clock.now(), actor.roles.has(Role.SUBSIDIARY_ACCESS));
  return { list, filter, orgs: actor.orgs, scope: invoiceScope(actor, filter) };
}

/** Administratie › Facturen: the list, its CSV and ZIP exports, and each invoice's PDF. */
export function invoiceRoutes(deps: BuiltDeps): Router {
  const { invoices } = deps.services;
  const r = Router();

  r.get(PAGES.invoices.path, guardFor('invoices'), async (req, res) => {
    const actor = actorOf(req);
    const lang = langOf(req);
    const t = (key: string, params?: Record<string, string | number>) => translate(lang, key, params);
    const { list, filter, orgs, scope } = readSelection(deps, req, actor);
    const { rows, total } = await invoices.list(actor, filter, list);

    const range =
      filter.from && filter.to
        ? t('invoices.filter.range', { from: formatDate(lang, filter.from), to: formatDate(lang, filter.to) })
        : filter.from
          ? t('invoices.filter.rangeFrom', { from: formatDate(lang, filter.from) })
          : filter.to
            ? t('invoices.filter.rangeTo', { to: formatDate(lang, filter.to) })
            : t('invoices.filter.rangeAll');
    const chips = [
      {
        label: t('invoices.filter.organization'),
        value: scope.org.name,
        removeUrl: scope.org.id !== actor.organizationId ? urlWith(req.path, req.query, { org: null }) : null,
      },
      ...(actor.roles.has(Role.SUBSIDIARY_ACCESS) && scope.hasSubsidiaries
        ? [
            {
              label: t('invoices.filter.subsidiariesOf', { name: scope.org.name }),
              value: t(scope.withSubsidiaries ? 'common.yes' : 'common.no'),
              removeUrl: null,
            },
          ]
        : []),
      {
        label: t('invoices.col.date'),
        value: range,
        removeUrl: filter.defaultRange ? null : urlWith(req.path, req.query, { from: null, to: null, dates: null }),
      },
      ...(filter.q
        ? [
            {
              label: t('invoices.filter.search'),
              value: filter.q,
              removeUrl: urlWith(req.path, req.query, { q: null }),
            },
          ]
        : []),
    ];
    const errors = filter.errors;
    // A first visit whose default period holds nothing is told so,
    // with the period of the most recent invoice one click away.
    const latest =
      filter.defaultRange && total === 0 && !Object.keys(errors).length
        ? await invoices.latestDate(actor, filter)
        : null;
    const latestPeriod = latest ? sixMonthsUpTo(latest) : null;
    res.status(Object.keys(errors).length ? 422 : 200).render('invoices/index', {
      rows: rows.map((row) => ({ ...row, einvoiceProblems: einvoiceProblems(row) })),
      vendor: VENDOR,
      list,
      info: pageInfo(total, list),
      chips,
      errors,
      orgs,
      scope,
      form: {
        org: String(scope.org.id),
        subs: scope.withSubsidiaries ? 'ja' : 'nee',
        // The fields show days as the page writes them (1-7-2026), whatever the link had.
        from: errors.from ? textOf(req.query.from ?? '') : formatDate(lang, filter.from),
        to: errors.to ? textOf(req.query.to ?? '') : formatDate(lang, filter.to),
        q: filter.q,
      },
      showSubsidiaries: actor.roles.has(Role.SUBSIDIARY_ACCESS) && orgs.length > 1,
      csvUrl: urlWith(PAGES.invoiceCsv.path, req.query, {}),
      zipUrl: urlWith(PAGES.invoiceZip.path, req.query, {}),
      allDatesUrl: urlWith(req.path, req.query, { from: null, to: null, dates: 'all' }),
      emptyPeriod: filter.defaultRange && total === 0 ? { range, latest } : null,
      latestPeriod: latestPeriod && {
        url: urlWith(req.path, req.query, {
          from: isoDay(latestPeriod.from),
          to: isoDay(latestPeriod.to),
          dates: null,
          page: null,
        }),
        range: t('invoices.filter.range', {
          from: formatDate(lang, latestPeriod.from),
          to: formatDate(lang, latestPeriod.to),
        }),
        date: formatDate(lang, latestPeriod.to),
      },
    });
  });

  r.get(PAGES.invoiceCsv.path, guardFor('invoiceCsv'), async (req, res) => {
    const actor = actorOf(req);
    const lang = langOf(req);
    const t = (key: string) => translate(lang, key);
    const { list, filter } = readSelection(deps, req, actor);
    const rows = await invoices.listForExport(actor, filter, list);
    const cents = (v: { toString(): string }) => csvAmount(toUnits(v.toString(), 2) ?? 0n);
    sendCsv(res, 'facturen.csv', [
      ['number', 'title', 'date', 'amount', 'vat', 'orgName'].map((k) => t(`invoices.col.${k}`)),
      ...rows.map((i) => [
        i.number,
        i.title,
        formatDate(lang, i.invoiceDate),
        cents(i.amountExclVat),
        cents(i.vatAmount),
        i.organizationName,
      ]),
    ]);
  });

  r.get(PAGES.invoiceZip.path, guardFor('invoiceZip'), async (req, res) => {
    const actor = actorOf(req);
    const { list, filter } = readSelection(deps, req, actor);
    // Counted and refused before a byte is sent, so the refusal is a proper error page.
    const selection = await invoices.selectForZip(actor, filter, list);
    await streamZip(deps, res, actor, langOf(req), selection);
  });

  r.get(PAGES.invoicePdf.path, guardFor('invoicePdf'), async (req, res) => {
    const id = idParam(req.params.id);
    const actor = actorOf(req);
    const invoice = await invoices.getForPdf(actor, id);
    const mayAsk = holdsAny(actor, PAGES.ticketNew.role);
    const questionUrl = mayAsk ? `${deps.config.baseUrl}/tickets/new?invoice=${invoice.id}` : undefined;
    // A stored PDF streams from the file storage; otherwise the PDF is generated.
    const stored = await openInvoicePdf(deps.storage, invoice);
    const body = stored ? null : await renderInvoicePdf(invoice, deps.config.supplier, langOf(req), questionUrl);
    await invoices.recordDownload(actor, invoice, req.ip ?? null).catch((err: unknown) => {
      stored?.destroy();
      throw err;
    });
    // ?view=1 opens the PDF in the browser's viewer; without it, it is saved as a file.
    const inline = req.query.view === '1';
    if (stored) {
      startDownload(res, invoiceFileName(invoice.number), 'application/pdf', inline);
      return void (await pipeline(stored, res));
    }
    sendDownload(res, {
      fileName: invoiceFileName(invoice.number),
      contentType: 'application/pdf',
      body: body!,
      inline,
    });
  });

  // The same invoice as UBL 2.1 (Peppol BIS Billing 3.0 / NLCIUS), with the PDF's role and scope.
  // One that could not be valid is not sent: 409 with a page that says why and who can fix it.
  r.get(PAGES.invoiceUbl.path, guardFor('invoiceUbl'), async (req, res) => {
    const invoice = await invoices.getForPdf(actorOf(req), idParam(req.params.id));
    const problems = einvoiceProblems(invoice);
    if (problems.length) {
      res.setHeader('Cache-Control', 'no-store');
      return void res.status(409).render('invoices/no-einvoice', { invoice, problems, vendor: VENDOR });
    }
    const body = Buffer.from(renderInvoiceUbl(invoice, deps.config.supplier), 'utf8');
    sendDownload(res, { fileName: ublFileName(invoice.number), contentType: 'application/xml; charset=utf-8', body });
  });

  return r;
}

const ZIP_BATCH = 20;

/**
 * Streams the PDFs, each with its UBL e-invoice beside it, as one
 * ZIP. Invoices are read in small batches and each entry is awaited
 * before the next is added, so memory stays bounded by a batch, whatever the selection.
 */
async function streamZip(
  deps: BuiltDeps,
  res: Response,
  actor: Actor,
  lang: 'nl' | 'en',
  selection: { id: number; number: number }[],
): Promise<void> {
  // The ZIP library loads on the first ZIP, not at the start; before the headers, so a failure is an error page.
  const { default: archiver } = await import('archiver');
  startDownload(res, 'facturen.zip', 'application/zip');
  const archive = archiver('zip', { zlib: { level: 6 } });
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  const failed = new Promise<never>((_, reject) => archive.on('error', reject));
  failed.catch(() => {});
  archive.pipe(res);
  for (let i = 0; i < selection.length && !closed; i += ZIP_BATCH) {
    const ids = selection.slice(i, i + ZIP_BATCH).map((s) => s.id);
    const byId = new Map((await deps.services.invoices.getManyForPdf(actor, ids)).map((inv) => [inv.id, inv]));
    for (const id of ids) {
      const inv = byId.get(id);
      if (!inv || closed) continue;
      const body =
        (await openInvoicePdf(deps.storage, inv)) ?? (await renderInvoicePdf(inv, deps.config.supplier, lang));
      // An e-invoice that could not be valid is left out (the list page says why).
      const ubl = einvoiceProblems(inv).length
        ? []
        : [[ublFileName(inv.number), Buffer.from(renderInvoiceUbl(inv, deps.config.supplier), 'utf8')] as const];
      for (const [name, content] of [[invoiceFileName(inv.number), body] as const, ...ubl]) {
        const added = new Promise<void>((resolve) => archive.once('entry', () => resolve()));
        archive.append(content, { name, date: inv.invoiceDate });
        await Promise.race([added, failed]);
      }
    }
  }
  if (closed) {
    archive.abort();
    return;
  }
  await Promise.race([archive.finalize(), failed]);
}
