import type { Actor } from './auth/actor.js';
import type { Locale } from './i18n/index.js';

declare global {
  namespace Express {
    // The logged-in person, set by passport from the session on every request.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Actor {}
    interface Request {
      lang?: Locale;
    }
  }
}

export {};
