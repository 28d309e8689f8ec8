import type { Actor } from '../../auth/actor.js';
import type { AuditActor } from '../../audit.js';
import { scope } from '../../auth/scope.js';
import type { TicketStatus } from '../../generated/prisma/enums.js';
import type { ReceivedFile } from '../../http/uploads.js';
import type { TicketInput } from './schema.js';
import { refuse } from '../../http/errors.js';
import { clientOf, type ApiPage, type Precondition, type ServiceDeps } from '../../services.js';
import {
  addNote,
  createTicket,
  getTicket,
  listTickets,
  reporterDefaults,
  scopeOrganizations,
  type TicketListQuery,
} from './service.js';
import { attachmentServices } from './attachment-services.js';
import { changeDeadline, changeStatus, staffReply, type StaffContext } from './staff.js';
import { importTickets, validateRecords } from './import.js';
import { invoiceForQuestion } from './invoice-question.js';
import { addWatcher, listWatchers, mayManageWatchers, removeWatcher, watcherCandidates } from './watchers.js';
import { recordVerdict, satisfactionByMonth, verdictState } from './verdict.js';
import { staffTicketServices } from './staff-queries.js';
import type { AttachmentInput } from './attachments.js';
import { listInbound, pruneInbound, receiveMail, type InboundEnvelope } from './inbound.js';

/** Tickets as the doors see them: the customer's pages, the staff tool and the API. */
export function ticketServices(deps: ServiceDeps) {
  const { db, clock, config } = deps;
  const settings = config.tickets;
  const pageCtx = () => ({ now: clock.now(), settings, baseUrl: deps.baseUrl });
  const staffCtx = (who: AuditActor): StaffContext => ({
    staff: who,
    now: clock.now(),
    helpdesk: settings.helpdeskName,
    baseUrl: deps.baseUrl,
    linkSecret: settings.linkSecret,
    replyDomain: settings.replyDomain,
  });
  const attachments = attachmentServices(deps);
  return {
    // -- the customer's pages -------------------------------------------------------------
    /** The list grouped by status, in the actor's scope. */
    list: (actor: Actor, query: TicketListQuery) => listTickets(db, actor, query, deps.pool),
    /** The organisations a person may file for or filter on (own first). */
    organizations: (actor: Actor) => scopeOrganizations(actor),
    /**
     * What the new-ticket form shows: the reporter, and the invoice a question is about (null when not the person's to
     * see).
     */
    newForm: async (actor: Actor, invoiceId: number | null) => {
      const [reporter, invoice] = await Promise.all([
        reporterDefaults(db, actor),
        invoiceForQuestion(db, actor, invoiceId),
      ]);
      return { reporter, invoice };
    },
    /** The invoice a "Vraag over deze factuur" ticket is about, when the person may see it. */
    invoiceForQuestion: (actor: Actor, invoiceId: number | null) => invoiceForQuestion(db, actor, invoiceId),
    /** Files a ticket for the actor; the reporter and the helpdesk are mailed. */
    create: (actor: Actor, input: TicketInput, files?: AttachmentInput) =>
      createTicket(db, actor, input, pageCtx(), files),
    /** One ticket in scope (404 otherwise), with its notes. */
    get: (actor: Actor, id: number) => getTicket(db, actor, id),
    /** The detail page: the ticket, its files and its Betrokkenen. */
    detail: async (actor: Actor, id: number) => {
      const ticket = await getTicket(db, actor, id);
      const [files, watchers] = await Promise.all([
        attachments.list(actor, ticket.id),
        listWatchers(db, actor, ticket.id),
      ]);
      return { ticket, files, watchers };
    },
    /** A customer's note; refused (saved: false) on a ticket resolved too long ago. */
    addNote: (actor: Actor, id: number, body: string, files?: AttachmentInput) =>
      addNote(db, actor, id, body, pageCtx(), files),
    /** Whether the actor manages this ticket's Betrokkenen. */
    mayManageWatchers,
    /** The Betrokkenen of a ticket in scope. */
    watchers: (actor: Actor, ticketId: number) => listWatchers(db, actor, ticketId),
    /** One page of colleagues who can be added as Betrokkene. */
    watcherCandidates: (actor: Actor, ticketId: number, q: string, page: number) =>
      watcherCandidates(db, actor, ticketId, q, page),
    /** Adds a Betrokkene (at most 20) and mails them that they were. */
    addWatcher: (actor: Actor, ticketId: number, contactId: number) =>
      addWatcher(db, actor, ticketId, contactId, { baseUrl: deps.baseUrl }),
    /** Takes a Betrokkene off (also oneself). */
    removeWatcher: (actor: Actor, ticketId: number, contactId: number) => removeWatcher(db, actor, ticketId, contactId),
    /** The satisfaction page of the resolved mail's link. */
    verdictState: (ticketId: number, contactId: number) => verdictState(db, ticketId, contactId, clock.now()),
    /** Records (or changes) the reporter's answer within 14 days of resolution. */
    recordVerdict: (ticketId: number, contactId: number, score: number, comment: string | null) =>
      recordVerdict(db, ticketId, contactId, score, comment, clock.now()),

    // -- staff and the API ----------------------------------------------------------------
    /** Vcare changes the status; the reporter and the Betrokkenen are mailed. */
    changeStatus: (who: AuditActor, id: number, status: TicketStatus, opts: { precondition?: Precondition } = {}) =>
      changeStatus(db, id, status, staffCtx(who), opts.precondition),
    /** A reply by Vcare (with files already stored); the reporter and the Betrokkenen are mailed. */
    reply: (
      who: AuditActor,
      id: number,
      body: string,
      staffName: string,
      opts: { files?: ReceivedFile[]; precondition?: Precondition } = {},
    ) => staffReply(db, id, body, staffName, staffCtx(who), opts.files, opts.precondition),
    /** Vcare moves the deadline. */
    changeDeadline: (who: AuditActor, id: number, deadline: Date, opts: { precondition?: Precondition } = {}) =>
      changeDeadline(db, id, deadline, staffCtx(who), opts.precondition),
    /** Checks and imports tickets from another helpdesk, all or nothing; nobody is mailed. */
    importRecords: async (
      who: AuditActor,
      records: Record<string, unknown>[],
      progress?: (done: number, total: number) => void,
    ) => {
      const rows = await validateRecords(db, records);
      return importTickets(db, rows, { staff: who, settings, progress });
    },
    /** The verdicts' averages per month (Amsterdam) and helpdesk. */
    satisfaction: (from: Date | undefined, to: Date | undefined) => satisfactionByMonth(db, from, to),
    /** One page of tickets for the API (without notes), oldest change first. */
    pageForApi: (page: ApiPage) =>
      db.ticket.findMany({ ...page, where: { AND: [...page.where.AND, scope.api.tickets()] } }),
    /** One ticket with its notes for the API; a missing one is a 404. */
    getForApi: async (id: number) => {
      const t = await db.ticket.findFirst({
        where: { id, ...scope.api.tickets() },
        include: { notes: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } },
      });
      if (!t) throw refuse('id', `No ticket ${id}`, { code: 'NOT_FOUND' });
      return t;
    },
    ...staffTicketServices(db),
    /** The files of tickets: pending uploads, downloads. */
    attachments,
    /** Replies to ticket mails (docs/inbound-mail.md): what the SMTP listener and the IMAP poller hand over. */
    inbound: {
      /** Takes one raw message: a note, or a refusal answered by mail, or nothing for an auto-reply. */
      receive: (raw: Buffer, envelope?: InboundEnvelope) => {
        if (!config.inbound) throw refuse('inbound', 'replies by mail are not configured (INBOUND_MAIL_DOMAIN)');
        return receiveMail(
          {
            prisma: clientOf(db),
            storage: deps.storage,
            clock,
            settings,
            inbound: config.inbound,
            baseUrl: deps.baseUrl,
            kickMail: deps.kickMail,
          },
          raw,
          envelope,
        );
      },
      /** One page of what arrived, newest first (or only the refused). */
      list: (opts: { refused: boolean; page: number; perPage: number }) => listInbound(db, opts),
      /** Deletes what arrived more than the retention ago (rows and raw messages). */
      prune: () =>
        pruneInbound(
          clientOf(db),
          deps.storage,
          new Date(clock.now().getTime() - (config.inbound?.retentionDays ?? 90) * 86_400_000),
        ),
    },
  };
}
