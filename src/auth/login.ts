import type { Request, Response } from 'express';
import type { Clock } from '../clock.js';
import type { PrismaClient } from '../db/client.js';
import type { Locale } from '../i18n/index.js';
import { recordAudit } from '../audit.js';
import type { Actor, LoginMethod } from './actor.js';
import { noteLoginBrowser } from './browsers.js';

/**
 * Logs `actor` in on this request, the same way for every login method: req.login
 * regenerates the session (a new id at login: no session fixation), the session's clock
 * starts (idle and absolute expiry), the browser and address are noted for the Beveiliging
 * page, and the chosen language survives the new session.
 */
export function startLoggedInSession(
  req: Request,
  actor: Actor,
  clock: Clock,
  method: LoginMethod,
  opts: { secondStep?: boolean } = {},
): Promise<void> {
  const lang = req.session.lang;
  return new Promise((resolve, reject) => {
    req.login(actor, (err) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      const at = clock.now().getTime();
      req.session.createdAt = at;
      req.session.lastSeenAt = at;
      req.session.loginMethod = method;
      if (opts.secondStep) req.session.secondStep = true;
      req.session.client = { ip: req.ip ?? '', ua: String(req.headers['user-agent'] ?? '').slice(0, 512) };
      if (lang) req.session.lang = lang;
      resolve();
    });
  });
}

/**
 * Records a login with the portal's own credentials: the contact's "Laatst ingelogd" and the
 * audit event `login.password` or `login.passkey` (an SSO login records `sso.login` and the
 * time in its own transaction).
 */
export async function recordPasswordLogin(
  prisma: PrismaClient,
  actor: Actor,
  opts: { now: Date; ip: string; kind?: 'login.password' | 'login.passkey' },
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.contact.update({ where: { id: actor.id }, data: { lastLoginAt: opts.now } });
    await recordAudit(tx, {
      actor,
      kind: opts.kind ?? 'login.password',
      organizationId: actor.organizationId,
      subjectType: 'contact',
      subjectId: actor.id,
      ip: opts.ip,
    });
  });
}

/** What completing a login needs of the app. */
export interface LoginDeps {
  prisma: PrismaClient;
  clock: Clock;
  sessionSecret: string;
  config: { secureCookies: boolean; baseUrl: string };
  kickMail?: () => void;
}

/**
 * Completes a login (password with its second step, passkey, Microsoft, Google): starts the
 * session, records a password or passkey login, and mails the person when this browser is
 * new to their account. `secondStep` marks a session that passed a second step (a passkey
 * login is one by itself), so requiring two-step login can end the others.
 */
export async function completeLogin(
  deps: LoginDeps,
  req: Request,
  res: Response,
  actor: Actor,
  method: LoginMethod,
  opts: { secondStep?: boolean } = {},
): Promise<void> {
  const secondStep = opts.secondStep === true || method === 'passkey';
  await startLoggedInSession(req, actor, deps.clock, method, { secondStep });
  if (method === 'password' || method === 'passkey') {
    await recordPasswordLogin(deps.prisma, actor, {
      now: deps.clock.now(),
      ip: req.ip ?? '',
      kind: method === 'password' ? 'login.password' : 'login.passkey',
    });
  }
  const lang: Locale = req.session.lang ?? req.lang ?? 'nl';
  const { newBrowser } = await noteLoginBrowser(deps.prisma, req, res, {
    actor,
    secret: deps.sessionSecret,
    secure: deps.config.secureCookies,
    now: deps.clock.now(),
    baseUrl: deps.config.baseUrl,
    lang,
    secondStep,
  });
  if (newBrowser) deps.kickMail?.();
}
