import type { Request } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { PrismaClient } from '../db/client.js';
import { actorFromRow, loadActor } from './actor.js';
import { preloadedActor } from './session.js';
import { verifyCredentials } from './credentials.js';

/** What the session remembers of the logged-in person. */
interface SessionUser {
  id: number;
  epoch: number;
}

/** A Passport instance per app (tests run several apps in one process). */
export function createPassport(prisma: PrismaClient): InstanceType<typeof Passport> {
  const passport = new Passport();
  passport.serializeUser((user, done) => done(null, { id: user.id, epoch: user.sessionEpoch } satisfies SessionUser));
  passport.deserializeUser(
    (req: Request, data: SessionUser, done: (err: unknown, user?: Express.User | false) => void) => {
      // A person who may no longer log in (deactivated, web access off, role removed, password
      // reset elsewhere, SSO now required) gets `false`, which ends their session on this request.
      const method = req.session.loginMethod;
      const row = preloadedActor(req);
      if (row !== undefined) return done(null, (row?.id === data.id && actorFromRow(row, data.epoch, method)) || false);
      loadActor(prisma, data.id, data.epoch, method).then((actor) => done(null, actor ?? false), done);
    },
  );
  passport.use(
    'local',
    new LocalStrategy({ usernameField: 'username', passwordField: 'password' }, (username, password, done) => {
      verifyCredentials(prisma, username, password).then((actor) => done(null, actor ?? false), done);
    }),
  );
  return passport;
}
