import { Router, type Request } from 'express';
import { formBody } from '../../http/validation.js';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { pipeline } from 'node:stream/promises';
import { startDownload } from '../../http/download.js';
import { pageInfo, parseListQuery } from '../../http/list.js';
import { flash, langOf } from '../../http/locals.js';
import { renderMarkdown } from '../../http/markdown.js';
import { formatSize, typeLabel } from './files.js';
import { idParam } from '../../http/params.js';
import { DOCUMENT_SORTS, type DocumentSort } from './service.js';
import type { Services } from '../../services.js';

type Rows = Awaited<ReturnType<Services['documents']['list']>>['rows'];

/** Rows as the table shows them: type label, size in kB/MB. */
function present(rows: Rows, lang: 'nl' | 'en') {
  return rows.map((d) => ({
    ...d,
    type: typeLabel(d.contentType),
    sizeLabel: formatSize(d.size, lang),
    organizationName: d.organization?.name ?? null,
  }));
}

function documentList(req: Request, defaultSort: DocumentSort, defaultDir: 'asc' | 'desc') {
  return parseListQuery<DocumentSort>(req.query, { sorts: DOCUMENT_SORTS, defaultSort, defaultDir });
}

/** Downloads › Handleidingen, Productinformatie, Rapportages, and /documents/:id for every kind. */
export function downloadRoutes({ services }: BuiltDeps): Router {
  const { documents } = services;
  const r = Router();

  r.get(PAGES.manuals.path, guardFor('manuals'), async (req, res) => {
    const actor = actorOf(req);
    const list = documentList(req, 'date', 'asc');
    const { rows, total } = await documents.list(actor, 'MANUAL', list);
    res.render('downloads/manuals', { rows: present(rows, langOf(req)), list, info: pageInfo(total, list) });
  });

  r.get(PAGES.productInformation.path, guardFor('productInformation'), async (req, res) => {
    const actor = actorOf(req);
    const list = documentList(req, 'name', 'asc');
    const [content, { rows, total }] = await Promise.all([
      services.productInfo.pageText(langOf(req)),
      documents.list(actor, 'PRODUCT_INFO', list),
    ]);
    res.render('downloads/product-information', {
      contentHtml: content === null ? null : renderMarkdown(content),
      rows: present(rows, langOf(req)),
      list,
      info: pageInfo(total, list),
    });
  });

  r.get(PAGES.reports.path, guardFor('reports'), async (req, res) => {
    const actor = actorOf(req);
    // Newest first: a weekly report makes the oldest-first order of the manual's screenshot one long scroll.
    const list = documentList(req, 'date', 'desc');
    const [optIn, { rows, total }] = await Promise.all([
      documents.reportMailOptIn(actor),
      documents.list(actor, 'REPORT', list),
    ]);
    res.render('downloads/reports', {
      rows: present(rows, langOf(req)),
      list,
      info: pageInfo(total, list),
      optIn,
      showOrganization: actor.orgIds.length > 1,
    });
  });

  r.post(PAGES.reports.path, guardFor('reports'), async (req, res) => {
    const optIn = formBody(req).optIn === '1';
    await documents.setReportMailOptIn(actorOf(req), optIn, req.ip);
    flash(req, 'success', optIn ? 'downloads.reports.optInSaved' : 'downloads.reports.optOutSaved');
    res.redirect(303, PAGES.reports.path);
  });

  r.get(PAGES.document.path, guardFor('document'), async (req, res) => {
    const doc = await documents.download(actorOf(req), idParam(req.params.id), req.ip ?? null);
    startDownload(res, doc.fileName, doc.contentType);
    res.setHeader('Content-Length', String(doc.size));
    await pipeline(doc.body, res);
  });

  return r;
}
