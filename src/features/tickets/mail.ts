import type { Tx } from '../../db/client.js';
import { enqueueMail } from '../../mail/outbox.js';
import { renderMail } from '../../http/views.js';
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

function render(template: string, ctx: TicketMailContext) {
  const params = { ...ctx, id: ctx.ticket.id, title: ctx.ticket.title, statusLabel };
  return renderMail('nl', template, params, `tickets.mail.${template}.subject`);
}

/** Queues a mail to the reporter (in Dutch; skipped when the reporter has no address). */
export async function mailReporter(tx: Tx, to: string | null | undefined, template: string, ctx: TicketMailContext): Promise<void> {
  if (!to) return;
  await enqueueMail(tx, { to, ...render(template, ctx) });
}

/** Queues a mail to the helpdesk address. */
export async function mailHelpdesk(tx: Tx, to: string, template: string, ctx: TicketMailContext): Promise<void> {
  await enqueueMail(tx, { to, ...render(template, ctx) });
}
