import EmailReplyParser from 'email-reply-parser';
import type { ParsedMail } from 'mailparser';
import { cleanField } from '../../http/text.js';
import { replyAboveLines } from '../../mail/reply-address.js';

/**
 * mailparser's options for a reply: no links made, and no HTML made of the text (`textAsHtml`,
 * not used here): that conversion takes quadratic time on a long run of spaces (80,000 took 11 s).
 */
export const PARSE_OPTIONS = { skipImageLinks: true, skipTextLinks: true, skipTextToHtml: true } as const;

/** The longest note the portal's form takes; a longer reply is cut there. */
export const NOTE_MAX = 10_000;

/** "-----Original Message-----" and its Dutch spellings (Outlook, Outlook for Mac). */
const ORIGINAL =
  /^\s*-{2,}\s*(original message|oorspronkelijk bericht|origineel bericht|doorgestuurd bericht)\s*-{2,}\s*$/i;
/** Outlook's header block of the quoted mail: "From:"/"Van:" followed within a few lines by "Sent:"/"Verzonden:". */
const HEADER_FROM = /^\s*\*?(from|van)\s*:\*?\s+\S/i;
const HEADER_SENT = /^\s*\*?(sent|verzonden|date|datum)\s*:\*?\s+\S/i;
/** The line(s) before a quote: "On … wrote:", "Op … schreef …:", Apple's "Op … heeft … het volgende geschreven:". */
const ATTRIBUTION_START = /^\s*(on|op|am|le)\s\S/i;
const ATTRIBUTION_END = /(wrote|schreef|geschreven|schrieb|écrit)\s*[^:\n]{0,80}:\s*$/i;
/** Phone signatures the library does not know in Dutch. */
const SENT_FROM = /^\s*(verzonden|verstuurd)\s+(vanaf|met|via)\s+(mijn\s+)?\S.*$/i;

/**
 * The new text of a reply: everything above our "reply above this line" marker, the quoted mail
 * and its attribution line ("Op … schreef …", "On … wrote …", Outlook's header block), and the
 * signature cut off (email-reply-parser, plus the Dutch forms it lacks). HTML-only mails arrive
 * here as text already (mailparser converts them, quotes as "> " lines).
 */
export function replyText(mail: ParsedMail): string {
  const markers = replyAboveLines();
  // Twice the longest note is all a reply can give (it is cut to NOTE_MAX below); what follows is
  // quotes. The cut also bounds the work of every pattern below, whatever the mail holds.
  const lines = (mail.text ?? '')
    .slice(0, 2 * NOTE_MAX)
    .replace(/\r\n?/g, '\n')
    .split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (markers.some((m) => line.includes(m))) {
      end = i;
      break;
    }
    if (ORIGINAL.test(line) || /^\s*_{10,}\s*$/.test(line) || SENT_FROM.test(line)) {
      end = i;
      break;
    }
    if (HEADER_FROM.test(line) && lines.slice(i + 1, i + 5).some((l) => HEADER_SENT.test(l))) {
      end = i;
      break;
    }
    if (ATTRIBUTION_START.test(line)) {
      const joined = lines.slice(i, i + 3).join(' ');
      const within = [line, `${line} ${lines[i + 1] ?? ''}`, joined];
      if (within.some((l) => ATTRIBUTION_END.test(l)) && /\d/.test(joined)) {
        end = i;
        break;
      }
    }
  }
  // The attribution line just above our marker ("On … wrote:" then "> ##- Reply above … -##") goes too.
  const kept = lines.slice(0, end);
  while (kept.length && ['', '>'].includes(kept[kept.length - 1]!.trim())) kept.pop();
  const visible = new EmailReplyParser().parseReply(kept.join('\n'));
  // What the form's edge refuses in a note (control characters but tab and newline, bidi overrides,
  // lone surrogates) never reaches one by mail either: the same rule (src/http/text.ts).
  const clean = cleanField('note', visible)
    // Line by line, not /[ \t]+$/gm: that pattern is quadratic on a long run of spaces.
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return clean.length > NOTE_MAX ? `${clean.slice(0, NOTE_MAX - 1)}…` : clean;
}

/**
 * Why a message is automatic (an auto-reply, a bounce, a list), or null for one a person wrote.
 * Such a message adds nothing and gets no answer: that is what keeps two robots from mailing
 * each other forever (RFC 3834).
 */
export function automaticReason(mail: ParsedMail, envelopeFrom: string | null | undefined): string | null {
  // The header as written (unfolded), after its name: the same reading for every kind of header.
  const header = (name: string): string => {
    const line = mail.headerLines.find((l) => l.key === name)?.line ?? '';
    return line
      .slice(line.indexOf(':') + 1)
      .replace(/\s+/g, ' ')
      .trim();
  };
  const auto = header('auto-submitted').trim().toLowerCase();
  if (auto && auto !== 'no') return 'auto_reply';
  if (mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond') || mail.headers.has('x-autoreply-from'))
    return 'auto_reply';
  if (/^(bulk|junk|list|auto_reply)$/i.test(header('precedence').trim())) return 'bulk';
  if (mail.headers.has('list-id') || mail.headers.has('list-unsubscribe')) return 'bulk';
  if (header('content-type').toLowerCase().startsWith('multipart/report')) return 'bounce';
  // The null return path ("MAIL FROM:<>", "Return-Path: <>") is what bounces and notifications carry.
  if (envelopeFrom === '') return 'bounce';
  const returnPath = mail.headerLines.find((l) => l.key === 'return-path');
  if (returnPath && /:\s*<\s*>\s*$/.test(returnPath.line)) return 'bounce';
  const from = senderOf(mail);
  if (!from) return 'bounce';
  if (/^(mailer-daemon|postmaster)@/i.test(from)) return 'bounce';
  return null;
}

/**
 * The sender's address (From), lower-case; '' when there is none, or when it is not one plain
 * ASCII address: several From addresses, or characters outside ASCII, which lower-case into
 * look-alikes (the Kelvin sign into "k") and which no address in the portal has.
 */
export function senderOf(mail: ParsedMail): string {
  const addresses = mail.from?.value.filter((a) => a.address) ?? [];
  if (addresses.length !== 1) return '';
  const address = addresses[0]!.address!.trim();
  if (!/^[\x21-\x7e]{3,320}$/.test(address)) return '';
  return address.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Every address the message names as recipient (To, Cc, and the delivery headers a mailbox adds). */
export function headerRecipients(mail: ParsedMail): string[] {
  const out: string[] = [];
  for (const field of [mail.to, mail.cc]) {
    for (const group of Array.isArray(field) ? field : field ? [field] : []) {
      for (const a of group.value) if (a.address) out.push(a.address);
    }
  }
  for (const l of mail.headerLines) {
    if (['delivered-to', 'x-original-to', 'envelope-to'].includes(l.key)) {
      const m = /:\s*<?([^\s<>]+@[^\s<>]+)>?\s*$/.exec(l.line);
      if (m) out.push(m[1]!);
    }
  }
  return out;
}
