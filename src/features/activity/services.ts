import type { Actor } from '../../auth/actor.js';
import type { ListQuery } from '../../http/list.js';
import type { ServiceDeps } from '../../services.js';
import { lookUp } from './lookups.js';
import { exportActivity, listActivity, listPeople, type ActivityFilters } from './service.js';

/**
 * "Activiteiten" as the page sees it: the organisation's events with what they refer to, read in the reader's scope.
 */
export function activityServices(deps: ServiceDeps) {
  const { db } = deps;
  return {
    /**
     * One page of events (newest first), its total, the people of the person filter, and the names the events refer
     * to.
     */
    page: async (actor: Actor, list: Pick<ListQuery<'at'>, 'skip' | 'perPage'>, filters: ActivityFilters) => {
      const [{ total, events }, people] = await Promise.all([
        listActivity(db, actor, list, filters),
        listPeople(db, actor, filters.person),
      ]);
      return { total, events, people, look: await lookUp(db, actor, events) };
    },
    /** The whole selection for the CSV (at most ACTIVITY_CSV_LIMIT rows), with the names the events refer to. */
    export: async (actor: Actor, filters: ActivityFilters) => {
      const events = await exportActivity(db, actor, filters);
      return { events, look: await lookUp(db, actor, events) };
    },
  };
}
