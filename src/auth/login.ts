import type { Request } from 'express';
import type { Clock } from '../clock.js';
import type { PrismaClient } from '../db/client.js';
import { recordAudit } from '../audit.js';
import type { Actor, LoginMethod } from './actor.js';

/**
 * Logs `actor` in on this request, the same way for every login method: req.login
 * regenerates the session (a new id at login: no session fixation), the session's clock
 * starts (idle and absolute expiry), and the chosen language survives the new session.
 */
export function startLoggedInSession(req: Request, actor: Actor, clock: Clock, method: LoginMethod): Promise<void> {
  const lang = req.session.lang;
  return new Promise((resolve, reject) => {
    req.login(actor, (err) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      const at = clock.now().getTime();
      req.session.createdAt = at;
      req.session.lastSeenAt = at;
      req.session.loginMethod = method;
      if (lang) req.session.lang = lang;
      resolve();
    });
  });
}

/**
 * Records a password login: the contact's "Laatst ingelogd" and the audit event
 * `login.password` (an SSO login records `sso.login` and the time in its own transaction).
 */
export async function recordPasswordLogin(prisma: PrismaClient, actor: Actor, opts: { now: Date; ip: string }): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.contact.update({ where: { id: actor.id }, data: { lastLoginAt: opts.now } });
    await recordAudit(tx, { actor, kind: 'login.password', organizationId: actor.organizationId, subjectType: 'contact', subjectId: actor.id, ip: opts.ip });
  });
}
