import type { Tx } from '../../db/client.js';
import { loadActor } from '../../auth/actor.js';
import { scope } from '../../auth/scope.js';
import { queueMail, type TemplateMail } from '../../mail/outbox.js';
import { recipientsWanting, unsubscribeHeaders, unsubscribeToken, type MailKind } from '../../mail/preferences.js';
import { translate, type Locale } from '../../i18n/index.js';
import { replyAboveLine, replyAddress } from '../../mail/reply-address.js';

/** The portal URL of a ticket, for mails. */
export function ticketLink(baseUrl: string, id: number): string {
  return `${baseUrl}/tickets/${id}`;
}

/** A ticket status in words of the mail's language. */
export function statusLabel(status: string, lang: Locale = 'nl'): string {
  return translate(lang, `tickets.status.${status}`);
}

/** What every ticket mail knows: the ticket (number and title are the subject's parameters). */
export type TicketMailContext = { ticket: { id: number; title: string } } & Record<string, unknown>;

function mail(to: string, lang: Locale, template: string, ctx: TicketMailContext): TemplateMail {
  const params = {
    ...ctx,
    id: ctx.ticket.id,
    title: ctx.ticket.title,
    statusLabel: (s: string) => statusLabel(s, lang),
  };
  return { to, lang, template, params, subjectKey: `tickets.mail.${template}.subject` };
}

/** Queues a mail to the helpdesk address (in Dutch: the helpdesk is Vcare's, not a contact). */
export async function mailHelpdesk(tx: Tx, to: string, template: string, ctx: TicketMailContext): Promise<void> {
  await queueMail(tx, mail(to, 'nl', template, ctx));
}

/** Where links in a person's mail lead, and the key that signs the no-login ones. */
export interface MailLinks {
  baseUrl: string;
  linkSecret: string;
  /** The reply addresses' domain when replies by mail are on (TicketConfig.replyDomain). */
  replyDomain?: string;
}

/**
 * What makes a person's ticket mail answerable, when replies by mail are on: a Reply-To for this
 * ticket and person (signed with the mail-link key) and the line the reply goes above.
 */
export function replyParts(
  links: MailLinks,
  ticketId: number,
  person: { id: number; lang: Locale },
): { headers: Record<string, string>; topLine?: string } {
  if (!links.replyDomain) return { headers: {} };
  return {
    headers: { 'Reply-To': replyAddress(links.linkSecret, links.replyDomain, ticketId, person.id) },
    topLine: replyAboveLine(person.lang),
  };
}

/**
 * The people on a ticket who get a mail of `kind`: the reporter and the Betrokkenen (except
 * `except`, the person whose change it is), each only while they may still see the ticket (the
 * code every request runs: may log in, ticket role, scope) and has not turned the kind off.
 */
export async function ticketAudience(
  tx: Tx,
  ticketId: number,
  kind: MailKind,
  except?: number,
): Promise<{ id: number; email: string; name: string; lang: Locale }[]> {
  const candidates = await tx.$queryRaw<{ id: number; session_epoch: number }[]>`
    SELECT c.id, c.session_epoch FROM contacts c
    WHERE c.deleted_at IS NULL AND c.email IS NOT NULL
      AND (c.id = (SELECT reporter_id FROM tickets WHERE id = ${ticketId})
           OR c.id IN (SELECT contact_id FROM ticket_watchers WHERE ticket_id = ${ticketId}))
    ORDER BY c.id`;
  const wanting = await recipientsWanting(
    tx,
    candidates.map((c) => c.id).filter((id) => id !== except),
    kind,
  );
  const out: { id: number; email: string; name: string; lang: Locale }[] = [];
  for (const c of candidates) {
    const lang = wanting.get(c.id);
    if (!lang) continue;
    const actor = await loadActor(tx, c.id, c.session_epoch);
    if (!actor) continue;
    const visible = await tx.ticket.count({ where: { AND: [{ id: ticketId }, scope.tickets(actor)] } });
    if (visible) out.push({ id: actor.id, email: actor.email, name: actor.displayName, lang });
  }
  return out;
}

/**
 * Queues one mail of `kind` per person on the ticket (see ticketAudience), each in the person's
 * language, with a one-click link (and List-Unsubscribe headers) that turns this kind off.
 * `extra(person)` adds what only that person's mail carries. Returns how many were queued.
 */
export async function mailTicketPeople(
  tx: Tx,
  kind: MailKind,
  template: string,
  ctx: TicketMailContext,
  links: MailLinks,
  opts: { except?: number; extra?: (person: { id: number }) => Record<string, unknown> } = {},
): Promise<number> {
  const people = await ticketAudience(tx, ctx.ticket.id, kind, opts.except);
  for (const p of people) {
    const token = unsubscribeToken(links.linkSecret, p.id, kind);
    const personal = {
      ...ctx,
      ...opts.extra?.(p),
      // The template tells the reporter's own ticket from a colleague's ("uw ticket" or "het ticket van X").
      recipientId: p.id,
      recipientName: p.name,
      unsubscribeUrl: `${links.baseUrl}/mail/unsubscribe/${token}`,
    };
    const reply = replyParts(links, ctx.ticket.id, p);
    await queueMail(tx, {
      ...mail(p.email, p.lang, template, personal),
      headers: { ...unsubscribeHeaders(links.baseUrl, token), ...reply.headers },
      topLine: reply.topLine,
    });
  }
  return people.length;
}
