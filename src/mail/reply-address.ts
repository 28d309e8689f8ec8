import { createHmac, timingSafeEqual } from 'node:crypto';
import { translate, LOCALES, type Locale } from '../i18n/index.js';

/**
 * The reply address of a ticket mail: `reply+<ticket>-<person>-<mac>@<domain>`. The mac is the
 * first 80 bits of HMAC-SHA256 over "reply:<ticket>:<person>" with the mail-link key, written in
 * lower-case base32: relays may change the case of a local part, and 64 characters is its limit.
 */
export function replyAddress(secret: string, domain: string, ticketId: number, contactId: number): string {
  return `reply+${ticketId}-${contactId}-${replyMac(secret, ticketId, contactId)}@${domain}`;
}

/** What an address at the reply domain says: a ticket and person (signed), forged, or not a reply address at all. */
export type ReplyTarget = { ticketId: number; contactId: number } | 'forged' | null;

/**
 * Reads a recipient address: null when it is not at `domain`; 'forged' when it is, but its token
 * is missing, altered or signed with another key; else the ticket and person it was made for.
 */
export function readReplyAddress(secret: string, domain: string, address: string): ReplyTarget {
  const at = address.lastIndexOf('@');
  if (at < 0 || address.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return null;
  const m = /^reply\+(\d{1,9})-(\d{1,9})-([a-z2-7]{16})$/.exec(address.slice(0, at).toLowerCase());
  if (!m) return 'forged';
  const ticketId = Number(m[1]);
  const contactId = Number(m[2]);
  const want = Buffer.from(replyMac(secret, ticketId, contactId));
  const got = Buffer.from(m[3]!);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return 'forged';
  return { ticketId, contactId };
}

/** The line at the top of a mail that can be answered; the reply is cut at it. */
export function replyAboveLine(lang: Locale): string {
  return `##- ${translate(lang, 'inbound.replyAbove')} -##`;
}

/** The line in every language: a reply quoting a mail is cut at whichever it finds. */
export function replyAboveLines(): string[] {
  return LOCALES.map((l) => replyAboveLine(l));
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function replyMac(secret: string, ticketId: number, contactId: number): string {
  const bytes = createHmac('sha256', secret).update(`reply:${ticketId}:${contactId}`).digest().subarray(0, 10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}
