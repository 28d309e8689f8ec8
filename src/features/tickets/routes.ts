import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { fullName } from '../../auth/actor.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { Role } from '../../auth/roles.js';
import { flash, langOf } from '../../http/locals.js';
import { urlWith } from '../../http/list.js';
import { fieldErrors, str, type FieldErrors } from '../../http/validation.js';
import { formatDate, translate } from '../../i18n/index.js';
import { NoteForm, TICKET_KINDS, TICKET_STATUSES, TicketForm } from './schema.js';
import { noteState } from './note-state.js';
import { addNote, createTicket, getTicket, listTickets, reporterDefaults, scopeOrganizations, type TicketListQuery } from './service.js';
import { idParam } from '../../http/params.js';

const FORM_FIELDS = ['organizationId', 'alternativePhone', 'title', 'description', 'customerReference', 'kind'] as const;

/** A ticket number from the URL; anything else is a 404, never a 500. */
function ticketId(req: Request): number {
  return idParam(req.params.id);
}

/** The list's filters from the query string; unknown values fall back to the defaults. */
function parseTicketQuery(query: Request['query'], orgIds: number[]): TicketListQuery {
  const status = str(query.status);
  const org = Number.parseInt(str(query.org), 10);
  const pages: TicketListQuery['pages'] = {};
  for (const s of TICKET_STATUSES) {
    const n = Number.parseInt(str(query[`page_${s}`]), 10);
    if (Number.isFinite(n) && n > 1) pages[s] = Math.min(n, 400);
  }
  return {
    status: status === 'all' || (TICKET_STATUSES as readonly string[]).includes(status) ? (status as TicketListQuery['status']) : 'current',
    org: orgIds.includes(org) ? org : null,
    q: str(query.q).slice(0, 200),
    dir: str(query.dir) === 'asc' ? 'asc' : 'desc',
    pages,
  };
}

/** "13-7-2017 om 10:58" as the new-ticket form shows the time of reporting. */
function reportedAtText(lang: 'nl' | 'en', now: Date): string {
  const time = new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', hour: '2-digit', minute: '2-digit' }).format(now);
  return translate(lang, 'tickets.new.reportedAtValue', { date: formatDate(lang, now), time });
}

/** Service & Support › Tickets: list, add, detail, print, follow-up notes. */
export function ticketRoutes(deps: AppDeps): Router {
  const { prisma, clock, config } = deps;
  const r = Router();
  const guard = () => guardFor('tickets');
  const ctx = () => ({ now: clock.now(), settings: config.tickets, baseUrl: config.baseUrl });

  r.get(PAGES.tickets.path, guard(), async (req, res) => {
    const actor = actorOf(req);
    const query = parseTicketQuery(req.query, actor.orgIds);
    const [result, organizations] = await Promise.all([listTickets(prisma, actor, query), scopeOrganizations(actor)]);
    const lang = langOf(req);
    const t = (key: string) => translate(lang, key);
    const statusValue = query.status === 'current' || query.status === 'all' ? t(`tickets.filter.${query.status}`) : t(`tickets.status.${query.status}`);
    const orgName = organizations.find((o) => o.id === (query.org ?? (organizations.length === 1 ? organizations[0]!.id : -1)))?.name;
    const chips = [
      { label: t('tickets.filter.status'), value: statusValue, removeUrl: query.status === 'current' ? null : urlWith(req.path, req.query, { status: null }) },
      ...(orgName ? [{ label: t('tickets.filter.organization'), value: orgName, removeUrl: query.org ? urlWith(req.path, req.query, { org: null }) : null }] : []),
      ...(query.q ? [{ label: t('tickets.filter.search'), value: query.q, removeUrl: urlWith(req.path, req.query, { q: null }) }] : []),
    ];
    res.render('tickets/index', {
      ...result,
      query,
      chips,
      organizations,
      statuses: TICKET_STATUSES,
      orgScope: actor.roles.has(Role.MANAGE_ORG_TICKETS),
      helpdeskEmail: config.tickets.helpdeskEmail,
    });
  });

  const renderForm = async (req: Request, res: Response, status: number, values: Record<string, string>, errors?: FieldErrors) => {
    const actor = actorOf(req);
    const reporter = await reporterDefaults(prisma, actor);
    res.status(status).render('tickets/new', {
      reporter,
      values: { organizationId: String(actor.organizationId), ...values },
      errors,
      kinds: TICKET_KINDS,
      reportedAt: reportedAtText(langOf(req), clock.now()),
    });
  };

  r.get(PAGES.ticketNew.path, guardFor('ticketNew'), (req, res) => renderForm(req, res, 200, {}));

  r.post(PAGES.ticketNew.path, guardFor('ticketNew'), async (req, res) => {
    const values = Object.fromEntries(FORM_FIELDS.map((f) => [f, str(req.body?.[f])]));
    const form = TicketForm.safeParse(values);
    if (!form.success) return renderForm(req, res, 422, values, fieldErrors(form.error));
    const ticket = await createTicket(prisma, actorOf(req), form.data, ctx());
    deps.kickMail?.();
    flash(req, 'success', 'tickets.new.saved', { id: String(ticket.id) });
    res.redirect(`/tickets/${ticket.id}`);
  });

  const detail = async (req: Request) => {
    const ticket = await getTicket(prisma, actorOf(req), ticketId(req));
    const person = (p: { firstName: string | null; infix: string | null; lastName: string } | null) => (p ? fullName(p.firstName, p.infix, p.lastName) : null);
    return {
      ticket,
      reporterName: person(ticket.reporter),
      notes: ticket.notes.map((n) => ({ id: n.id, body: n.body, createdAt: n.createdAt, author: person(n.author), staffName: n.staffName })),
      noteState: noteState(ticket, clock.now(), config.tickets.reopenDays),
      reopenDays: config.tickets.reopenDays,
    };
  };

  r.get('/tickets/:id', guard(), async (req, res) => {
    res.render('tickets/show', { ...(await detail(req)), showEmpty: str(req.query.empty) === '1' });
  });

  r.get('/tickets/:id/print', guard(), async (req, res) => {
    res.render('tickets/print', { ...(await detail(req)), showEmpty: true });
  });

  r.get('/tickets/:id/notes/new', guard(), async (req, res) => {
    res.render('tickets/note', { ...(await detail(req)), values: {} });
  });

  r.post('/tickets/:id/notes', guard(), async (req, res) => {
    const id = ticketId(req);
    const values = { body: str(req.body?.body) };
    const form = NoteForm.safeParse(values);
    if (!form.success) {
      return res.status(422).render('tickets/note', { ...(await detail(req)), values, errors: fieldErrors(form.error) });
    }
    const result = await addNote(prisma, actorOf(req), id, form.data.body, ctx());
    // Resolved too long ago: refused, nothing saved; the page says to file a new ticket.
    if (!result.saved) return res.status(409).render('tickets/note', { ...(await detail(req)), values });
    deps.kickMail?.();
    flash(req, 'success', result.reopened || result.resumed ? 'tickets.notes.resumed' : 'tickets.notes.saved');
    res.redirect(`/tickets/${id}`);
  });

  return r;
}
