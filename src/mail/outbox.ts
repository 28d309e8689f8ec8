import type { PrismaClient, Tx } from '../db/client.js';
import type { Locale } from '../i18n/index.js';
import { renderMail } from './render.js';

/** One mail to send. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** When the link in it stops working (reset, invitation): it is not sent after that. */
  expiresAt?: Date;
  /** Extra headers (List-Unsubscribe). */
  headers?: Record<string, string>;
}

/**
 * Queues a mail in the outbox. Pass the transaction of the change that causes the mail, so
 * the mail exists exactly when the change does; the worker sends it (SMTP down loses nothing).
 */
export async function enqueueMail(db: Tx | PrismaClient, mail: OutgoingMail): Promise<void> {
  await db.mailOutbox.create({
    data: {
      recipient: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html ?? null,
      expiresAt: mail.expiresAt ?? null,
      headers: mail.headers ?? undefined,
    },
  });
}

/** A mail from a template (views/mail/<template>.njk) to one recipient, in their language. */
export interface TemplateMail {
  to: string;
  lang: Locale;
  template: string;
  params: Record<string, unknown>;
  /** Locale key of the subject (default `mail.<template>.subject`), with the same parameters. */
  subjectKey?: string;
  /** When the link in it stops working (reset, invitation): it is not sent after that. */
  expiresAt?: Date;
  /** Extra headers (List-Unsubscribe). */
  headers?: Record<string, string>;
  /** A line above the whole text ("Reply above this line" of an answerable ticket mail). */
  topLine?: string;
}

/** Renders a template mail in the recipient's language and queues it in the caller's transaction. */
export async function queueMail(db: Tx | PrismaClient, mail: TemplateMail): Promise<void> {
  const rendered = renderMail(mail.lang, mail.template, mail.params, mail.subjectKey);
  await enqueueMail(db, {
    to: mail.to,
    subject: rendered.subject,
    text: mail.topLine ? `${mail.topLine}\n\n${rendered.text}` : rendered.text,
    expiresAt: mail.expiresAt,
    headers: mail.headers,
  });
}
