import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../http/errors.js';
import type { Actor } from './actor.js';
import type { Role } from './roles.js';

/** Marks a guard so the route audit test can prove every route declares its access. */
export const ACCESS = Symbol('pim.access');
/** Marks a guard taken from the page table (src/auth/pages.ts) with the page's name. */
export const PAGE = Symbol('pim.page');

/** A route's first handler: it declares the access it enforces. */
export type Guard = RequestHandler & { [ACCESS]: Role | Role[] | 'PUBLIC' | 'MAIN_CONTACT'; [PAGE]?: string };

/** The route needs a logged-in person holding `role` (in effect). Anonymous GETs go to the login page. */
export function requireRole(role: Role): Guard {
  return roleGuard([role], role);
}

/** The route needs a logged-in person holding at least one of `roles` (a page two roles open). */
export function requireAnyRole(...roles: Role[]): Guard {
  return roleGuard(roles, roles);
}

/** True when the actor holds `role`, or one of the roles of a list. */
export function holdsAny(actor: Pick<Actor, 'roles'>, role: Role | readonly Role[]): boolean {
  return (Array.isArray(role) ? role : [role]).some((r: Role) => actor.roles.has(r));
}

function roleGuard(roles: Role[], mark: Role | Role[]): Guard {
  const guard = ((req: Request, res: Response, next: NextFunction) => {
    if (!req.user) {
      if (req.method === 'GET') {
        res.redirect(`/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      next(new AppError('UNAUTHENTICATED'));
      return;
    }
    if (!holdsAny(req.user, roles)) {
      next(new AppError('FORBIDDEN'));
      return;
    }
    next();
  }) as Guard;
  guard[ACCESS] = mark;
  return guard;
}

/**
 * The route is for the organisation's main contact only (the "Activiteiten" page): a
 * logged-in person who is not the main contact gets 403, whatever roles they hold.
 */
export const requireMainContact: Guard = Object.assign(
  ((req: Request, res: Response, next: NextFunction) => {
    if (!req.user) {
      if (req.method === 'GET') return res.redirect(`/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
      return next(new AppError('UNAUTHENTICATED'));
    }
    // No role opens it, so the page must not say that the administrator can give one.
    if (!req.user.isMainContact) return next(new AppError('FORBIDDEN', 'errors.mainContactOnly'));
    next();
  }) as RequestHandler,
  { [ACCESS]: 'MAIN_CONTACT' as const },
);

/** The route is open to everyone (login, password reset, health checks). */
export const publicRoute: Guard = Object.assign(
  ((_req: Request, _res: Response, next: NextFunction) => next()) as RequestHandler,
  {
    [ACCESS]: 'PUBLIC' as const,
  },
);

/** The logged-in actor; only call behind requireRole. */
export function actorOf(req: Request): Actor {
  if (!req.user) throw new AppError('UNAUTHENTICATED');
  return req.user;
}
