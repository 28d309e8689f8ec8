import type { Tx } from '../../db/client.js';
import { queueMail } from '../../mail/outbox.js';
import { translate } from '../../i18n/index.js';

/** The portal URL of a ticket, for mails. */
export function ticketLink(baseUrl: string, id: number): string {
  return `${baseUrl}/tickets/${id}`;
}

/** A ticket status in Dutch words (mails go out in Dutch). */
export function statusLabel(status: string): string {
  return translate('nl', `tickets.status.${status}`);
}

/** What every ticket mail knows: the ticket (number and title are the subject's parameters). */
export type TicketMailContext = { ticket: { id: number; title: string } } & Record<string, unknown>;

function mail(to: string, template: string, ctx: TicketMailContext) {
  const params = { ...ctx, id: ctx.ticket.id, title: ctx.ticket.title, statusLabel };
  return { to, lang: 'nl' as const, template, params, subjectKey: `tickets.mail.${template}.subject` };
}

/** Queues a mail to the reporter (in Dutch; skipped when the reporter has no address). */
export async function mailReporter(tx: Tx, to: string | null | undefined, template: string, ctx: TicketMailContext): Promise<void> {
  if (!to) return;
  await queueMail(tx, mail(to, template, ctx));
}

/** Queues a mail to the helpdesk address. */
export async function mailHelpdesk(tx: Tx, to: string, template: string, ctx: TicketMailContext): Promise<void> {
  await queueMail(tx, mail(to, template, ctx));
}
