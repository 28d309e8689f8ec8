import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { PrismaClient } from '../db/client.js';
import { loadActor } from './actor.js';
import { verifyCredentials } from '../features/auth/service.js';

/** What the session remembers of the logged-in person. */
interface SessionUser {
  id: number;
  epoch: number;
}

/** A Passport instance per app (tests run several apps in one process). */
export function createPassport(prisma: PrismaClient): InstanceType<typeof Passport> {
  const passport = new Passport();
  passport.serializeUser((user, done) => done(null, { id: user.id, epoch: user.sessionEpoch } satisfies SessionUser));
  passport.deserializeUser((data: SessionUser, done) => {
    // A person who may no longer log in (deactivated, web access off, role removed, password
    // reset elsewhere) gets `false`, which ends their session on this very request.
    loadActor(prisma, data.id, data.epoch).then((actor) => done(null, actor ?? false), done);
  });
  passport.use(
    'local',
    new LocalStrategy({ usernameField: 'username', passwordField: 'password' }, (username, password, done) => {
      verifyCredentials(prisma, username, password).then((actor) => done(null, actor ?? false), done);
    }),
  );
  return passport;
}
