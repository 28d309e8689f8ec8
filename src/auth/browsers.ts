import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { PrismaClient, Tx } from '../db/client.js';
import { queueMail } from '../mail/outbox.js';
import { translate, type Locale } from '../i18n/index.js';
import { mailMoment } from './security-notice.js';
import { readCookie } from './device.js';
import { describeUserAgent } from './user-agent.js';
import { plainIp } from './sessions.js';
import type { Actor } from './actor.js';

/**
 * The browser cookie: a random id, signed with the session secret, kept for a year. Unlike
 * the login throttle's device cookie (one account, a new value every login) it names the
 * browser itself, so several people can use one browser and each is recognised.
 */
export const BROWSER_COOKIE = 'pim_browser';
const YEAR_MS = 365 * 24 * 3_600_000;

function sign(secret: string, id: string): string {
  return createHmac('sha256', secret).update(`browser|${id}`).digest('base64url');
}

/** This browser's id when its cookie carries a valid signature, else null. */
export function browserId(req: Request, secret: string): string | null {
  const raw = readCookie(req, BROWSER_COOKIE);
  const [id, mac] = (raw ?? '').split('.');
  if (!id || !mac || !/^[A-Za-z0-9_-]{22}$/.test(id)) return null;
  const expected = Buffer.from(sign(secret, id));
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given) ? id : null;
}

/**
 * Whether `browser` (an id from browserId) completed a full login to this person's account before:
 * one that passed the second step (or was a passkey), not just the password.
 */
export async function isKnownBrowser(db: PrismaClient | Tx, contactId: number, browser: string): Promise<boolean> {
  const browserHash = createHash('sha256').update(browser).digest('hex');
  return (await db.knownBrowser.count({ where: { contactId, browserHash, secondStepAt: { not: null } } })) > 0;
}

/**
 * After a completed login: recognises the browser (or gives it a cookie) and, when the
 * person has logged in before but never from this browser, mails them "Nieuwe login op uw
 * PIM-account" with a link to Beveiliging. The very first login of an account mails
 * nothing: there is no earlier browser to compare with.
 */
export async function noteLoginBrowser(
  prisma: PrismaClient,
  req: Request,
  res: Response,
  opts: {
    actor: Actor;
    secret: string;
    secure: boolean;
    now: Date;
    baseUrl: string;
    lang: Locale;
    /** The login passed a second step (or was a passkey): noted for the second-step counters. */
    secondStep?: boolean;
  },
): Promise<{ newBrowser: boolean }> {
  let id = browserId(req, opts.secret);
  if (!id) id = randomBytes(16).toString('base64url');
  // Renewed at every login, so a browser in use stays recognised.
  res.cookie(BROWSER_COOKIE, `${id}.${sign(opts.secret, id)}`, {
    httpOnly: true,
    sameSite: 'lax',
    secure: opts.secure,
    path: '/',
    maxAge: YEAR_MS,
  });
  const browserHash = createHash('sha256').update(id).digest('hex');
  const secondStepAt = opts.secondStep ? opts.now : undefined;
  const known = await prisma.knownBrowser.updateMany({
    where: { contactId: opts.actor.id, browserHash },
    data: { lastSeenAt: opts.now, secondStepAt },
  });
  if (known.count > 0) return { newBrowser: false };
  return prisma.$transaction(async (tx) => {
    const before = await tx.knownBrowser.count({ where: { contactId: opts.actor.id } });
    const inserted = await tx.knownBrowser.createMany({
      data: [{ contactId: opts.actor.id, browserHash, createdAt: opts.now, lastSeenAt: opts.now, secondStepAt }],
      skipDuplicates: true,
    });
    if (before === 0 || inserted.count === 0) return { newBrowser: false };
    const { browser, os } = describeUserAgent(req.headers['user-agent']);
    const lang =
      (await tx.contact.findUnique({ where: { id: opts.actor.id }, select: { language: true } }))?.language ??
      opts.lang;
    const unknown = translate(lang, 'security.unknownBrowser');
    const params = {
      name: opts.actor.displayName,
      browser: translate(lang, 'security.browserOn', { browser: browser ?? unknown, os: os ?? unknown }),
      when: mailMoment(lang, opts.now),
      ip: plainIp(req.ip),
      link: `${opts.baseUrl}/profile/security`,
    };
    await queueMail(tx, {
      to: opts.actor.email,
      lang,
      template: 'new-login',
      params,
      subjectKey: 'security.mail.newLogin.subject',
    });
    return { newBrowser: true };
  });
}
