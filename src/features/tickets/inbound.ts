import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Attachment, ParsedMail } from 'mailparser';
import { loadActor, type Actor } from '../../auth/actor.js';
import { takeAttempt } from '../../auth/throttle.js';
import type { Clock } from '../../clock.js';
import type { InboundConfig, TicketConfig } from '../../config.js';
import type { PrismaClient, Tx } from '../../db/client.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError } from '../../http/errors.js';
import { cleanField } from '../../http/text.js';
import { Refusal, typeGate, UPLOAD_LIMITS, type ReceivedFile, type RefusalReason } from '../../http/uploads.js';
import type { Locale } from '../../i18n/index.js';
import { queueMail } from '../../mail/outbox.js';
import { readReplyAddress } from '../../mail/reply-address.js';
import { storedName, type AcceptedType } from '../../storage/detect.js';
import type { FileStorage } from '../../storage/types.js';
import { addNote } from './service.js';
import { automaticReason, headerRecipients, PARSE_OPTIONS, replyText, senderOf } from './inbound-reply.js';
import { ticketLink } from './mail.js';

/** Why a reply was not taken; each but `throttled` is answered with one short mail saying so. */
export type InboundRefusal =
  'forged' | 'ticket_gone' | 'no_access' | 'foreign_sender' | 'closed' | 'empty' | 'too_large' | 'throttled';

/** What became of a message: a note, a refusal (answered), ignored (automatic: not answered), or a duplicate. */
export type InboundOutcome =
  | { status: 'processed'; ticketId: number; noteId: number; refusedFiles: number }
  | { status: 'refused'; reason: InboundRefusal; ticketId?: number }
  | { status: 'ignored'; reason: string }
  | { status: 'duplicate' };

/** What the SMTP session knows beyond the message: its envelope ('' for the null sender "<>"). */
export interface InboundEnvelope {
  mailFrom?: string | null;
  recipients?: string[];
}

/** What receiving needs: the client (it runs its own transactions), the file storage, the clock and settings. */
export interface InboundDeps {
  prisma: PrismaClient;
  storage: FileStorage;
  clock: Clock;
  settings: TicketConfig;
  inbound: InboundConfig;
  baseUrl: string;
  kickMail?: () => void;
}

const HOUR = 3_600_000;

/**
 * Refusal mails per sender mailbox (a "+tag" does not make another one) and hour: a forged flood
 * must not make the portal a spam cannon (backscatter) at anyone's mailbox.
 */
const REFUSAL_MAILS_PER_HOUR = 5;

/** Refusal mails an hour, all together, to senders the portal does not know (no contact has the address). */
const REFUSAL_MAILS_TO_STRANGERS_PER_HOUR = 50;

/**
 * Receives one mail sent to a reply address. It is parsed, its address and sender checked, and
 * its text (quotes and signature removed) added as a note by that person exactly as one typed in
 * the portal (addNote: scope, reopening, mails, audit, webhook), its files under the upload rules.
 * Every message is kept (raw, in the file storage; only its first 64 kB when it is no reply to a signed
 * address) with a row saying what became of it.
 */
export async function receiveMail(
  deps: InboundDeps,
  raw: Buffer,
  envelope: InboundEnvelope = {},
): Promise<InboundOutcome> {
  const now = deps.clock.now();
  let mail: ParsedMail;
  // Loaded on the first mail: the parser and its charset tables are not needed to serve pages.
  const { simpleParser } = await import('mailparser');
  try {
    // mailparser never settles on a message of 1,000 parts or more (its splitter's limit), and
    // no person's reply has hundreds: such a message is read as unreadable, as a broken one is.
    if (mimeParts(raw) > MAX_PARTS) throw new Error('too many parts');
    mail = await simpleParser(raw, PARSE_OPTIONS);
  } catch {
    mail = await simpleParser(Buffer.from('\r\n'));
  }
  const messageId =
    storable(mail.messageId?.trim() ?? '', 500) || `<sha256:${createHash('sha256').update(raw).digest('hex')}>`;
  if (await deps.prisma.inboundMail.findUnique({ where: { messageId }, select: { id: true } }))
    return { status: 'duplicate' };
  const sender = senderOf(mail);
  const base = {
    receivedAt: now,
    messageId,
    sender: sender.slice(0, 320) || null,
    subject: mail.subject ? storable(mail.subject, 500) : null,
    size: raw.length,
  };

  // Mail that is no reply to a signed address (automatic, a loop, too large, forged) is kept only in
  // its first KEEP_UNSIGNED_BYTES (its headers, where it came from): anyone can send it, and what
  // anyone can send must not fill the storage for the retention's 90 days.
  const early = triage(deps, mail, raw, envelope, sender);
  const rawKey = randomUUID();
  await deps.storage.put(rawKey, Readable.from(['target' in early ? raw : raw.subarray(0, KEEP_UNSIGNED_BYTES)]));
  const stored: ReceivedFile[] = [];
  const forget = async () => {
    await Promise.all([rawKey, ...stored.map((f) => f.key)].map((k) => deps.storage.delete(k).catch(() => {})));
  };
  try {
    const outcome = await decide(deps, mail, early, sender, { ...base, rawKey }, stored, now);
    if (outcome.status === 'duplicate') await forget();
    if (outcome.status !== 'processed' && outcome.status !== 'duplicate')
      await Promise.all(stored.map((f) => deps.storage.delete(f.key).catch(() => {})));
    deps.kickMail?.();
    return outcome;
  } catch (err) {
    await forget();
    throw err;
  }
}

/** More MIME parts than any reply has; mailparser hangs from 1,000 on. */
const MAX_PARTS = 500;

/**
 * How many MIME parts `raw` has: its lines that are "--" and a boundary one of its Content-Type
 * headers declares (a log pasted into a reply may well have hundreds of lines starting with "--").
 * Linear in the size: each such line is looked up whole, not tried against every boundary.
 */
function mimeParts(raw: Buffer): number {
  const text = raw.toString('latin1');
  const boundaries = new Set<string>();
  for (const m of text.matchAll(/boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))/gi))
    boundaries.add(m[1] ?? m[2]!);
  if (!boundaries.size) return 0;
  let n = 0;
  for (let at = text.indexOf('\n--'); at !== -1; at = text.indexOf('\n--', at + 3)) {
    const eol = text.indexOf('\n', at + 3);
    const line = text.slice(at + 3, eol === -1 ? undefined : eol).trimEnd();
    if (boundaries.has(line) || (line.endsWith('--') && boundaries.has(line.slice(0, -2)))) n++;
  }
  return n;
}

/**
 * A header text of the message as it may be stored: one line, without what no input may hold (the
 * edge's rule, src/http/text.ts: NUL and lone surrogates PostgreSQL refuses, bidi overrides), at most `max`.
 */
function storable(text: string, max: number): string {
  return cleanField('subject', text).slice(0, max);
}

type Base = {
  receivedAt: Date;
  messageId: string;
  sender: string | null;
  subject: string | null;
  size: number;
  rawKey: string;
};

/** Bytes kept of a message that is no reply to a signed address: its headers and the start of its body. */
export const KEEP_UNSIGNED_BYTES = 64 * 1024;

/** What a message is before anything is looked up: ignored, refused, or addressed to a ticket and a person. */
type Triage =
  { ignore: string } | { refuse: 'too_large' | 'forged' } | { target: { ticketId: number; contactId: number } };

function triage(deps: InboundDeps, mail: ParsedMail, raw: Buffer, envelope: InboundEnvelope, sender: string): Triage {
  const automatic = automaticReason(mail, envelope.mailFrom);
  if (automatic) return { ignore: automatic };
  // Our own address writing to itself (a relay misconfigured into a loop): never answered.
  if (sender.endsWith(`@${deps.inbound.domain}`)) return { ignore: 'loop' };
  if (raw.length > deps.inbound.maxBytes) return { refuse: 'too_large' };
  // The reply address: the envelope's recipients (SMTP), else the message's own headers (IMAP).
  const targets = (envelope.recipients?.length ? envelope.recipients : headerRecipients(mail)).map((a) =>
    readReplyAddress(deps.settings.linkSecret, deps.inbound.domain, a),
  );
  const target = targets.find((t): t is { ticketId: number; contactId: number } => typeof t === 'object' && t !== null);
  return target ? { target } : { refuse: 'forged' };
}

async function decide(
  deps: InboundDeps,
  mail: ParsedMail,
  early: Triage,
  sender: string,
  base: Base,
  stored: ReceivedFile[],
  now: Date,
): Promise<InboundOutcome> {
  const { prisma, settings, inbound } = deps;
  const refuse = (reason: InboundRefusal, ticketId?: number, lang?: Locale) =>
    refuseMail(deps, mail, base, sender, reason, ticketId, lang, now);
  if ('ignore' in early) {
    const reason = early.ignore;
    return record(prisma, { ...base, status: 'ignored', reason }, () => ({ status: 'ignored', reason }));
  }
  if ('refuse' in early) return refuse(early.refuse);
  const { ticketId, contactId } = early.target;

  const ticket = await prisma.ticket.findUnique({ where: { id: ticketId }, select: { id: true, reporterId: true } });
  const person = await prisma.contact.findUnique({
    where: { id: contactId },
    select: { id: true, email: true, language: true, deletedAt: true },
  });
  const lang: Locale | undefined = person ? (person.language === 'en' ? 'en' : 'nl') : undefined;
  if (!ticket) return refuse('ticket_gone', undefined, lang);
  if (!person || person.deletedAt) return refuse('no_access', ticketId, lang);

  // The sender: the person the address was made for, or someone else on the ticket (reporter, Betrokkene).
  let authorId: number | null = null;
  // Addresses are kept lower-case (the contact form and the staff tool make them so) and the sender
  // is one lower-cased ASCII address: compared exactly (not by ILIKE, where "_" and "%" match anything).
  if (person.email && person.email === sender) authorId = person.id;
  else if (sender) {
    const other = await prisma.contact.findFirst({
      where: {
        email: sender,
        deletedAt: null,
        OR: [{ id: ticket.reporterId ?? -1 }, { watching: { some: { ticketId } } }],
      },
      select: { id: true },
    });
    authorId = other?.id ?? null;
  }
  if (authorId === null) return refuse('foreign_sender', ticketId, lang);
  const author = await authorActor(prisma, authorId);
  if (!author) return refuse('no_access', ticketId, lang);

  const attempt = await takeAttempt(
    prisma,
    [{ key: `mailnote:${author.id}:${ticketId}`, limit: inbound.notesPerHour, windowMs: HOUR, lockMs: HOUR }],
    now,
  );
  if (!attempt.allowed)
    return record(prisma, { ...base, status: 'refused', reason: 'throttled', ticketId, contactId: author.id }, () => ({
      status: 'refused',
      reason: 'throttled',
      ticketId,
    }));

  const body = replyText(mail);
  if (!body) return refuse('empty', ticketId, lang);

  const refusedFiles = await storeAttachments(deps.storage, mail.attachments, stored);
  const ctx = { now, settings, baseUrl: deps.baseUrl };
  try {
    return await prisma.$transaction(
      async (tx) => {
        const row = await tx.inboundMail.create({
          data: { ...base, status: 'processed', ticketId, contactId: author.id },
          select: { id: true },
        });
        const result = await addNote(tx, author, ticketId, body, ctx, { files: stored, keep: [] }, { viaMail: true });
        if (!result.saved) {
          await tx.inboundMail.update({ where: { id: row.id }, data: { status: 'refused', reason: 'closed' } });
          await queueRefusal(tx, deps, mail, sender, 'closed', ticketId, lang ?? 'nl');
          return { status: 'refused', reason: 'closed', ticketId } as const;
        }
        await tx.inboundMail.update({
          where: { id: row.id },
          data: { noteId: result.noteId, refusedFiles: refusedFiles.length ? refusedFiles : undefined },
        });
        if (refusedFiles.length) {
          await queueMail(tx, {
            to: sender,
            lang: lang ?? 'nl',
            template: 'inbound-files',
            subjectKey: 'inbound.files.subject',
            params: { id: ticketId, ticketId, files: refusedFiles, link: ticketLink(deps.baseUrl, ticketId) },
            headers: answerHeaders(mail),
          });
        }
        return { status: 'processed', ticketId, noteId: result.noteId!, refusedFiles: refusedFiles.length } as const;
      },
      { timeout: 60_000 },
    );
  } catch (err) {
    if (isUniqueViolation(err)) return { status: 'duplicate' };
    // Out of the person's scope (addNote's 404): the same refusal as a person without access.
    if (err instanceof AppError && err.code === 'NOT_FOUND') return refuse('no_access', ticketId, lang);
    throw err;
  }
}

/** The author as the portal knows them when they log in (null: may no longer log in). */
async function authorActor(prisma: PrismaClient, contactId: number): Promise<Actor | null> {
  const c = await prisma.contact.findUnique({ where: { id: contactId }, select: { sessionEpoch: true } });
  return c ? loadActor(prisma, contactId, c.sessionEpoch) : null;
}

/**
 * Stores the attachments by the upload rules (type by content, 20 MB, ten files); returns the refused
 * ones by name. Images an HTML mail shows inline (a signature's logo) are part of the text, not files.
 */
async function storeAttachments(
  storage: FileStorage,
  attachments: Attachment[],
  stored: ReceivedFile[],
): Promise<{ fileName: string; reason: RefusalReason }[]> {
  const refused: { fileName: string; reason: RefusalReason }[] = [];
  for (const a of attachments) {
    if (a.related) continue;
    const original = storable(a.filename ?? '', 255).trim() || 'bestand';
    if (stored.length >= UPLOAD_LIMITS.files) {
      refused.push({ fileName: original, reason: 'count' });
      continue;
    }
    if (a.size > UPLOAD_LIMITS.fileBytes) {
      refused.push({ fileName: original, reason: 'size' });
      continue;
    }
    const key = randomUUID();
    let type: AcceptedType | null = null;
    try {
      const { size } = await storage.put(key, Readable.from([a.content]).pipe(typeGate(original, (t) => (type = t))));
      stored.push({ key, fileName: storedName(original, type!), contentType: type!.contentType, size });
    } catch (err) {
      await storage.delete(key).catch(() => {});
      if (!(err instanceof Refusal)) throw err;
      refused.push({ fileName: original, reason: err.reason });
    }
  }
  return refused;
}

/** Headers of a mail that answers a reply: threaded with it, and marked automatic (RFC 3834) so no robot answers it. */
function answerHeaders(mail: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' };
  if (mail.messageId) {
    headers['In-Reply-To'] = mail.messageId;
    headers['References'] = mail.messageId;
  }
  return headers;
}

/** Records a refused message and answers it once, saying why (unless its sender had too many answers this hour). */
async function refuseMail(
  deps: InboundDeps,
  mail: ParsedMail,
  base: Base,
  sender: string,
  reason: InboundRefusal,
  ticketId: number | undefined,
  lang: Locale | undefined,
  now: Date,
): Promise<InboundOutcome> {
  // The language of whoever has the sender's address in the portal, else of the person the address was for, else Dutch.
  const known = sender
    ? await deps.prisma.contact.findFirst({
        where: { email: sender, deletedAt: null },
        select: { language: true },
      })
    : null;
  const language: Locale = known ? (known.language === 'en' ? 'en' : 'nl') : (lang ?? 'nl');
  const mailbox = sender.replace(/\+[^@]*@/, '@').slice(0, 254);
  const caps = [{ key: `mailrefusal:${mailbox}`, limit: REFUSAL_MAILS_PER_HOUR, windowMs: HOUR, lockMs: HOUR }];
  if (!known)
    caps.push({
      key: 'mailrefusal:strangers',
      limit: REFUSAL_MAILS_TO_STRANGERS_PER_HOUR,
      windowMs: HOUR,
      lockMs: HOUR,
    });
  const answer = !!sender && (await takeAttempt(deps.prisma, caps, now)).allowed;
  return record(
    deps.prisma,
    { ...base, status: 'refused', reason, ticketId: ticketId ?? null },
    () => ({ status: 'refused', reason, ...(ticketId ? { ticketId } : {}) }),
    answer ? (tx) => queueRefusal(tx, deps, mail, sender, reason, ticketId, language) : undefined,
  );
}

async function queueRefusal(
  tx: Tx | PrismaClient,
  deps: InboundDeps,
  mail: ParsedMail,
  sender: string,
  reason: InboundRefusal,
  ticketId: number | undefined,
  lang: Locale,
): Promise<void> {
  // A forged address names no ticket; the link to a ticket shows it only to someone who may see it.
  const named = ticketId;
  await queueMail(tx, {
    to: sender,
    lang,
    template: 'inbound-refused',
    subjectKey: named ? 'inbound.refused.subjectTicket' : 'inbound.refused.subject',
    params: {
      id: named ?? '',
      ticketId: named ?? null,
      reason,
      link: named ? ticketLink(deps.baseUrl, named) : `${deps.baseUrl}/tickets`,
    },
    headers: answerHeaders(mail),
  });
}

/** Writes the row of a message (and what else goes with it) once: the same Message-ID again is a duplicate. */
async function record(
  prisma: PrismaClient,
  data: Base & { status: string; reason: string; ticketId?: number | null; contactId?: number | null },
  outcome: () => InboundOutcome,
  also?: (tx: Tx) => Promise<void>,
): Promise<InboundOutcome> {
  try {
    await prisma.$transaction(async (tx) => {
      await tx.inboundMail.create({ data });
      await also?.(tx);
    });
    return outcome();
  } catch (err) {
    if (isUniqueViolation(err)) return { status: 'duplicate' };
    throw err;
  }
}

/** One row of `mail:inbound`. */
export interface InboundRow {
  id: number;
  receivedAt: Date;
  status: string;
  reason: string | null;
  messageId: string;
  sender: string | null;
  subject: string | null;
  ticketId: number | null;
  contactId: number | null;
  noteId: number | null;
  size: number;
}

/** One page of what arrived (newest first), or only what was refused; on the (status, received_at) index. */
export async function listInbound(
  db: PrismaClient | Tx,
  opts: { refused: boolean; page: number; perPage: number },
): Promise<{ rows: InboundRow[]; total: number }> {
  const where = opts.refused ? { status: 'refused' } : {};
  const [rows, total] = await Promise.all([
    db.inboundMail.findMany({
      where,
      orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
      skip: (opts.page - 1) * opts.perPage,
      take: opts.perPage,
      omit: { rawKey: true, refusedFiles: true },
    }),
    db.inboundMail.count({ where }),
  ]);
  return { rows, total };
}

/**
 * The retention: messages received before `before` go, row and raw message, in batches (every
 * instance may run it: deleting twice is harmless). Returns how many went.
 */
export async function pruneInbound(prisma: PrismaClient, storage: FileStorage, before: Date): Promise<number> {
  let removed = 0;
  for (;;) {
    const rows = await prisma.inboundMail.findMany({
      where: { receivedAt: { lt: before } },
      select: { id: true, rawKey: true },
      orderBy: { receivedAt: 'asc' },
      take: 500,
    });
    if (!rows.length) return removed;
    await prisma.inboundMail.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
    const keys = rows.map((r) => r.rawKey).filter((k): k is string => !!k);
    await Promise.all(keys.map((k) => storage.delete(k).catch(() => {})));
    removed += rows.length;
    if (rows.length < 500) return removed;
  }
}
