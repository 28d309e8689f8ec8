import type { Request } from 'express';
import type { AppDeps } from '../../deps.js';
import { twoFactorKey } from '../../auth/secret-box.js';
import { langOf } from '../../http/locals.js';
import type { ChangeContext } from './service.js';

/** What every security change records: when, from where, in which language, and which session stays. */
export function changeContext(deps: AppDeps, req: Request): ChangeContext {
  return {
    now: deps.clock.now(),
    ip: req.ip ?? '',
    lang: langOf(req),
    baseUrl: deps.config.baseUrl,
    keepSid: req.sessionID ?? null,
  };
}

/** The 32-byte key that seals authenticator-app secrets (TWO_FACTOR_KEY, or derived on a developer's machine). */
export function keyOf(deps: AppDeps): Buffer {
  return twoFactorKey(deps.config.twoFactorKey, deps.sessionSecret);
}
