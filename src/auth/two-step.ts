import type { Request } from 'express';
import type { Clock } from '../clock.js';
import type { LoginMethod } from './actor.js';
import type { Rule } from './throttle.js';

/**
 * The half-logged-in state: the password was right, the second step is still to come. It
 * lives in the session beside (never as) passport's user, so every guard still sees an
 * anonymous visitor: no page, no data.
 */
export interface PendingTwoStep {
  contactId: number;
  epoch: number;
  method: LoginMethod;
  /** When the password was checked (the app's clock); the state lasts PENDING_MS. */
  at: number;
  /** The person has no second step yet but their organisation requires one: set it up now. */
  setup: boolean;
  returnTo: string;
}

/** How long after the password the second step may follow. */
export const PENDING_MS = 10 * 60_000;

/** Starts the second step on a new session id (as a login would), keeping the language. */
export function beginTwoStep(req: Request, pending: PendingTwoStep): Promise<void> {
  const lang = req.session.lang;
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      if (lang) req.session.lang = lang;
      req.session.twoStep = pending;
      resolve();
    });
  });
}

/** The pending second step of this session, or null (none, or expired). */
export function pendingTwoStep(req: Request, clock: Clock): PendingTwoStep | null {
  const p = req.session?.twoStep;
  if (!p) return null;
  if (clock.now().getTime() - p.at > PENDING_MS) {
    delete req.session.twoStep;
    return null;
  }
  return p;
}

const MINUTE = 60_000;

/**
 * Wrong second-step codes, counted like passwords in PostgreSQL (shared by every instance). A
 * browser that completed a login to this account before (`knownBrowser`: its signed cookie is in
 * the account's known browsers) counts only on its own counter for this account, so someone who
 * knows the password cannot spend the account's attempts and lock the owner out of their own
 * browser. Any other browser counts per account and per account and client address: its cookie
 * proves nothing about the account (anyone can collect fresh ones), and an office behind one
 * address is not locked out as a whole.
 */
export function secondStepRules(contactId: number, knownBrowser: string | null, ip: string): Rule[] {
  if (knownBrowser)
    return [{ key: `2fa:dev:${contactId}|${knownBrowser}`, limit: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE }];
  return [
    { key: `2fa:acct:${contactId}`, limit: 10, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
    { key: `2fa:acctip:${contactId}|${ip}`, limit: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
  ];
}

/** How long a confirmation (password or second step) lets a person change security settings. */
export const REAUTH_MS = 10 * 60_000;

/** True when the person logged in or confirmed their password or second step within REAUTH_MS. */
export function recentlyConfirmed(req: Request, clock: Clock): boolean {
  const at = Math.max(req.session?.createdAt ?? 0, req.session?.reauthAt ?? 0);
  return clock.now().getTime() - at < REAUTH_MS;
}
