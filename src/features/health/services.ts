import type { ServiceDeps } from '../../services.js';

/** Readiness as the health page asks it. */
export function healthServices(deps: ServiceDeps) {
  const { db } = deps;
  return {
    /** Whether the database answers a trivial query (false on any failure: the caller answers 503). */
    async databaseAnswers(): Promise<boolean> {
      try {
        await db.$queryRaw`SELECT 1`;
        return true;
      } catch {
        return false;
      }
    },
  };
}
