import { Router, type Request } from 'express';
import { recordDownload } from '../../audit.js';
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
import {
  DOCUMENT_SORTS,
  getDocument,
  getProductInfoContent,
  getReportMailOptIn,
  listDocuments,
  setReportMailOptIn,
  type DocumentSort,
} from './service.js';

type Rows = Awaited<ReturnType<typeof listDocuments>>['rows'];

/** Rows as the table shows them: type label, size in kB/MB. */
function present(rows: Rows, lang: 'nl' | 'en') {
  return rows.map((d) => ({ ...d, type: typeLabel(d.contentType), sizeLabel: formatSize(d.size, lang), organizationName: d.organization?.name ?? null }));
}

function documentList(req: Request, defaultSort: DocumentSort, defaultDir: 'asc' | 'desc') {
  return parseListQuery<DocumentSort>(req.query, { sorts: DOCUMENT_SORTS, defaultSort, defaultDir });
}

/** Downloads › Handleidingen, Productinformatie, Rapportages, and /documents/:id for every kind. */
export function downloadRoutes({ prisma, storage }: BuiltDeps): Router {
  const r = Router();

  r.get(PAGES.manuals.path, guardFor('manuals'), async (req, res) => {
    const actor = actorOf(req);
    const list = documentList(req, 'date', 'asc');
    const { rows, total } = await listDocuments(prisma, actor, 'MANUAL', list);
    res.render('downloads/manuals', { rows: present(rows, langOf(req)), list, info: pageInfo(total, list) });
  });

  r.get(PAGES.productInformation.path, guardFor('productInformation'), async (req, res) => {
    const actor = actorOf(req);
    const list = documentList(req, 'name', 'asc');
    const [content, { rows, total }] = await Promise.all([getProductInfoContent(prisma, langOf(req)), listDocuments(prisma, actor, 'PRODUCT_INFO', list)]);
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
    const [optIn, { rows, total }] = await Promise.all([getReportMailOptIn(prisma, actor), listDocuments(prisma, actor, 'REPORT', list)]);
    res.render('downloads/reports', { rows: present(rows, langOf(req)), list, info: pageInfo(total, list), optIn, showOrganization: actor.orgIds.length > 1 });
  });

  r.post(PAGES.reports.path, guardFor('reports'), async (req, res) => {
    const optIn = req.body?.optIn === '1';
    await setReportMailOptIn(prisma, actorOf(req), optIn, req.ip);
    flash(req, 'success', optIn ? 'downloads.reports.optInSaved' : 'downloads.reports.optOutSaved');
    res.redirect(303, PAGES.reports.path);
  });

  r.get(PAGES.document.path, guardFor('document'), async (req, res) => {
    const actor = actorOf(req);
    const doc = await getDocument(prisma, actor, idParam(req.params.id), storage);
    // The name and kind are kept in the event: the activity page can still say what it was after the document is removed.
    await recordDownload(prisma, actor, { kind: 'document.downloaded', subjectType: 'document', subjectId: doc.id, after: { fileName: doc.fileName, kind: doc.kind }, ip: req.ip ?? null });
    startDownload(res, doc.fileName, doc.contentType);
    res.setHeader('Content-Length', String(doc.size));
    await pipeline(doc.body, res);
  });

  return r;
}
