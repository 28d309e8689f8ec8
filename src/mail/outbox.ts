import type { PrismaClient, Tx } from '../db/client.js';

/** One mail to send. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers (List-Unsubscribe). */
  headers?: Record<string, string>;
}

/**
 * Queues a mail in the outbox. Pass the transaction of the change that causes the mail, so
 * the mail exists exactly when the change does; the worker sends it (SMTP down loses nothing).
 */
export async function enqueueMail(db: Tx | PrismaClient, mail: OutgoingMail): Promise<void> {
  await db.mailOutbox.create({ data: { recipient: mail.to, subject: mail.subject, text: mail.text, html: mail.html ?? null, headers: mail.headers ?? undefined } });
}
