import type { Tx } from '../../db/client.js';
import { queueMail } from '../../mail/outbox.js';
import { translate, type Locale } from '../../i18n/index.js';

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

function mail(to: string, lang: Locale, template: string, ctx: TicketMailContext) {
  const params = { ...ctx, id: ctx.ticket.id, title: ctx.ticket.title, statusLabel: (s: string) => statusLabel(s, lang) };
  return { to, lang, template, params, subjectKey: `tickets.mail.${template}.subject` };
}

/** The reporter as a mail needs them: the address (none: no mail) and their language. */
export type Recipient = { email: string | null; language: Locale } | null | undefined;

/** Queues a mail to the reporter, in the reporter's language (skipped when the reporter has no address). */
export async function mailReporter(tx: Tx, to: Recipient, template: string, ctx: TicketMailContext): Promise<void> {
  if (!to?.email) return;
  await queueMail(tx, mail(to.email, to.language, template, ctx));
}

/** Queues a mail to the helpdesk address (in Dutch: the helpdesk is Vcare's, not a contact). */
export async function mailHelpdesk(tx: Tx, to: string, template: string, ctx: TicketMailContext): Promise<void> {
  await queueMail(tx, mail(to, 'nl', template, ctx));
}
