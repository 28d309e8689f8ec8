import type { Actor } from '../../auth/actor.js';
import {
  changeMailPreferences,
  mailPreferences,
  stillSubscribed,
  unsubscribe,
  type MailKind,
  type MailPreferences,
} from '../../mail/preferences.js';
import { clientOf, type ServiceDeps } from '../../services.js';

/** Which mails a person receives, and in which language ("Meldingen", the unsubscribe links). */
export function notificationServices(deps: ServiceDeps) {
  const { db } = deps;
  return {
    /** The person's choices. */
    preferences: (contactId: number) => mailPreferences(db, contactId),
    /** The person saves their own choices (audited). */
    change: (actor: Actor, prefs: MailPreferences) => changeMailPreferences(clientOf(db), actor, prefs),
    /** Whether an unsubscribe link's person still gets its kind of mail (null: the person is gone). */
    stillSubscribed: (target: { contactId: number; kind: MailKind }) => stillSubscribed(db, target),
    /** A one-click unsubscribe link used (no login). */
    unsubscribe: (target: { contactId: number; kind: MailKind }) => unsubscribe(clientOf(db), target),
  };
}
