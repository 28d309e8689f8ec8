import { clientOf, type ServiceDeps } from '../services.js';
import type { AuditActor } from '../audit.js';
import { seedDemo } from './seed.js';

/** The manual's demo data, as the staff tool loads it. */
export function demoServices(deps: ServiceDeps) {
  return {
    /** Loads the demo into a database without organisations (`loaded: false` otherwise), dated from now. */
    seed(who: AuditActor): Promise<{ loaded: boolean }> {
      // The seed runs its own transaction under an advisory lock: it needs the client, not someone's transaction.
      return seedDemo(clientOf(deps.db), who, deps.clock.now(), deps.storage);
    },
  };
}
