import { Router, type Request, type Response } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { fullName } from '../../auth/actor.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { Role } from '../../auth/roles.js';
import { flash, langOf } from '../../http/locals.js';
import { urlWith } from '../../http/list.js';
import { fieldErrors, str, type FieldErrors } from '../../http/validation.js';
import { formatDate, formatTime, translate } from '../../i18n/index.js';
import { NoteForm, TICKET_KINDS, TICKET_STATUSES, TicketForm } from './schema.js';
import { noteState, reopenCutoff } from './note-state.js';
import type { TicketListQuery } from './service.js';
import { idParam } from '../../http/params.js';
import { pipeline } from 'node:stream/promises';
import { startDownload } from '../../http/download.js';
import { readPostedForm, type PostedForm } from './form-input.js';
import { registerWatcherRoutes } from './watcher-routes.js';
import { invoiceQuestionValues } from './invoice-question.js';
import { registerVerdictRoutes } from './verdict-routes.js';
import { formatSize, typeLabelOf } from '../../storage/labels.js';
import type { RefusedFile } from '../../http/uploads.js';

/** The files part of a re-shown form. */
interface UploadState {
  /** Refused by the upload rules, or ('pending') not kept: too many files of the person's are waiting. */
  refused: { fileName: string; reason: RefusedFile['reason'] | 'pending' }[];
  pending: { id: number; fileName: string; sizeLabel: string }[];
}

const FORM_FIELDS = [
  'organizationId',
  'alternativePhone',
  'title',
  'description',
  'customerReference',
  'kind',
  'invoiceId',
] as const;

/** A ticket number from the URL; anything else is a 404, never a 500. */
function ticketId(req: Request): number {
  return idParam(req.params.id);
}

/** The list's filters from the query string; unknown values fall back to the defaults. */
function parseTicketQuery(query: Request['query'], orgIds: number[], reopenFrom: Date): TicketListQuery {
  const status = str(query.status);
  const org = Number.parseInt(str(query.org), 10);
  const pages: TicketListQuery['pages'] = {};
  for (const s of TICKET_STATUSES) {
    const n = Number.parseInt(str(query[`page_${s}`]), 10);
    if (Number.isFinite(n) && n > 1) pages[s] = Math.min(n, 400);
  }
  return {
    status:
      status === 'all' || (TICKET_STATUSES as readonly string[]).includes(status)
        ? (status as TicketListQuery['status'])
        : 'current',
    reopenCutoff: reopenFrom,
    org: orgIds.includes(org) ? org : null,
    watching: str(query.watching) === '1',
    q: str(query.q).slice(0, 200),
    dir: str(query.dir) === 'asc' ? 'asc' : 'desc',
    pages,
  };
}

/** "13-7-2017 om 10:58" as the new-ticket form shows the time of reporting. */
function reportedAtText(lang: 'nl' | 'en', now: Date): string {
  return translate(lang, 'tickets.new.reportedAtValue', { date: formatDate(lang, now), time: formatTime(now) });
}

/** Service & Support › Tickets: list, add, detail, print, follow-up notes. */
export function ticketRoutes(deps: BuiltDeps): Router {
  const { clock, config, storage } = deps;
  const tickets = deps.services.tickets;
  const files = tickets.attachments;
  const r = Router();
  // What a re-shown form says about files: the refused ones with their reason, the accepted ones kept.
  const uploadState = async (req: Request, posted: PostedForm): Promise<UploadState> => {
    const actor = actorOf(req);
    const { pending, notKept } = await files.keepPending(actor, posted);
    return {
      refused: [...posted.refused, ...notKept.map((f) => ({ fileName: f.fileName, reason: 'pending' as const }))],
      pending: pending.map((p) => ({ ...p, sizeLabel: formatSize(p.size, langOf(req)) })),
    };
  };
  const guard = () => guardFor('tickets');

  r.get(PAGES.tickets.path, guard(), async (req, res) => {
    const actor = actorOf(req);
    const query = parseTicketQuery(req.query, actor.orgIds, reopenCutoff(clock.now(), config.tickets.reopenDays));
    const result = await tickets.list(actor, query);
    const organizations = tickets.organizations(actor);
    const lang = langOf(req);
    const t = (key: string) => translate(lang, key);
    const statusValue =
      query.status === 'current' || query.status === 'all'
        ? t(`tickets.filter.${query.status}`)
        : t(`tickets.status.${query.status}`);
    const orgName = organizations.find(
      (o) => o.id === (query.org ?? (organizations.length === 1 ? organizations[0]!.id : -1)),
    )?.name;
    const chips = [
      {
        label: t('tickets.filter.status'),
        value: statusValue,
        removeUrl: query.status === 'current' ? null : urlWith(req.path, req.query, { status: null }),
      },
      ...(orgName
        ? [
            {
              label: t('tickets.filter.organization'),
              value: orgName,
              removeUrl: query.org ? urlWith(req.path, req.query, { org: null }) : null,
            },
          ]
        : []),
      ...(query.q
        ? [{ label: t('tickets.filter.search'), value: query.q, removeUrl: urlWith(req.path, req.query, { q: null }) }]
        : []),
      ...(query.watching
        ? [
            {
              label: t('tickets.filter.watching'),
              value: t('tickets.filter.yes'),
              removeUrl: urlWith(req.path, req.query, { watching: null }),
            },
          ]
        : []),
    ];
    res.render('tickets/index', {
      ...result,
      query,
      searchOpen: str(req.query.search) === '1',
      chips,
      organizations,
      statuses: TICKET_STATUSES,
      orgScope: actor.roles.has(Role.MANAGE_ORG_TICKETS),
      helpdeskEmail: config.tickets.helpdeskEmail,
      reopenDays: config.tickets.reopenDays,
    });
  });

  const renderForm = async (
    req: Request,
    res: Response,
    status: number,
    values: Record<string, string>,
    errors?: FieldErrors,
    upload?: UploadState,
  ) => {
    const actor = actorOf(req);
    const { reporter, invoice } = await tickets.newForm(actor, Number(values.invoiceId) || null);
    res.status(status).render('tickets/new', {
      reporter,
      invoice,
      values: { organizationId: String(actor.organizationId), ...values },
      errors,
      upload,
      kinds: TICKET_KINDS,
      reportedAt: reportedAtText(langOf(req), clock.now()),
    });
  };

  r.get(PAGES.ticketNew.path, guardFor('ticketNew'), async (req, res) => {
    // "Vraag over deze factuur": an invoice the person may not see leaves the form empty.
    const invoice = await tickets.invoiceForQuestion(actorOf(req), Number.parseInt(str(req.query.invoice), 10) || null);
    const values = invoice
      ? invoiceQuestionValues(invoice, translate(langOf(req), 'tickets.invoice.title', { number: invoice.number }))
      : {};
    return renderForm(req, res, 200, values);
  });

  r.post(PAGES.ticketNew.path, guardFor('ticketNew'), async (req, res) => {
    const actor = actorOf(req);
    const posted = await readPostedForm(req, res, storage, FORM_FIELDS);
    const form = TicketForm.safeParse(posted.values);
    if (!form.success || posted.refused.length || Object.keys(posted.badFields).length) {
      // Refused: nothing saved; the text comes back, the accepted files wait as pending uploads.
      const upload = await uploadState(req, posted);
      const errors = {
        ...(form.success ? {} : fieldErrors(form.error)),
        ...posted.badFields,
        ...(upload.refused.length ? { files: 'tickets.attachments.refusedSummary' } : {}),
      };
      return renderForm(req, res, 422, posted.values, errors, upload);
    }
    const ticket = await tickets.create(actor, form.data, posted).catch(async (err: unknown) => {
      await files.discard(posted.files);
      throw err;
    });
    deps.kickMail?.();
    flash(req, 'success', 'tickets.new.saved', { id: String(ticket.id) });
    res.redirect(`/tickets/${ticket.id}`);
  });

  const detail = async (req: Request) => {
    const actor = actorOf(req);
    const { ticket, files: stored, watchers } = await tickets.detail(actor, ticketId(req));
    const person = (p: { firstName: string | null; infix: string | null; lastName: string } | null) =>
      p ? fullName(p.firstName, p.infix, p.lastName) : null;
    const lang = langOf(req);
    const shown = stored.map((f) => ({
      ...f,
      typeLabel: typeLabelOf(f.contentType),
      sizeLabel: formatSize(f.size, lang),
    }));
    return {
      ticket,
      reporterName: person(ticket.reporter),
      watchers,
      mayManageWatchers: tickets.mayManageWatchers(actor, ticket),
      isWatcher: watchers.some((w) => w.id === actor.id),
      files: shown.filter((f) => f.noteId === null),
      notes: ticket.notes.map((n) => ({
        id: n.id,
        body: n.body,
        createdAt: n.createdAt,
        author: person(n.author),
        staffName: n.staffName,
        viaMail: n.viaMail,
        files: shown.filter((f) => f.noteId === n.id),
      })),
      noteState: noteState(ticket, clock.now(), config.tickets.reopenDays),
      reopenDays: config.tickets.reopenDays,
    };
  };

  r.get('/tickets/:id', guard(), async (req, res) => {
    res.render('tickets/show', { ...(await detail(req)), showEmpty: str(req.query.empty) === '1' });
  });

  r.get('/tickets/:id/print', guard(), async (req, res) => {
    res.render('tickets/print', { ...(await detail(req)), showEmpty: str(req.query.empty) === '1' });
  });

  r.get('/tickets/:id/notes/new', guard(), async (req, res) => {
    res.render('tickets/note', { ...(await detail(req)), values: {} });
  });

  r.post('/tickets/:id/notes', guard(), async (req, res) => {
    const id = ticketId(req);
    const actor = actorOf(req);
    // Out of scope: 404 before a byte of a file is stored.
    await tickets.get(actor, id);
    const posted = await readPostedForm(req, res, storage, ['body']);
    const values = posted.values;
    const form = NoteForm.safeParse(values);
    if (!form.success || posted.refused.length || Object.keys(posted.badFields).length) {
      const upload = await uploadState(req, posted);
      const errors = {
        ...(form.success ? {} : fieldErrors(form.error)),
        ...posted.badFields,
        ...(upload.refused.length ? { files: 'tickets.attachments.refusedSummary' } : {}),
      };
      return res.status(422).render('tickets/note', { ...(await detail(req)), values, errors, upload });
    }
    const result = await tickets.addNote(actor, id, form.data.body, posted).catch(async (err: unknown) => {
      await files.discard(posted.files);
      throw err;
    });
    // Resolved too long ago: refused, nothing saved; the page says to file a new ticket.
    if (!result.saved) {
      await files.discard(posted.files);
      return res.status(409).render('tickets/note', { ...(await detail(req)), values });
    }
    deps.kickMail?.();
    flash(req, 'success', result.reopened || result.resumed ? 'tickets.notes.resumed' : 'tickets.notes.saved');
    res.redirect(`/tickets/${id}`);
  });

  registerWatcherRoutes(r, deps, guard);
  registerVerdictRoutes(r, deps);

  r.get(PAGES.ticketAttachment.path, guardFor('ticketAttachment'), async (req, res) => {
    const file = await files.open(actorOf(req), ticketId(req), idParam(req.params.fileId));
    startDownload(res, file.fileName, file.contentType);
    res.setHeader('Content-Length', String(file.size));
    await pipeline(file.body, res);
  });

  return r;
}
