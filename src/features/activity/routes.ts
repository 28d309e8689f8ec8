import { Router } from 'express';
import type { AppDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { pageInfo, parseListQuery, urlWith } from '../../http/list.js';
import { str } from '../../http/validation.js';
import { langOf } from '../../http/locals.js';
import { translate } from '../../i18n/index.js';
import { ACTIVITY_KINDS, listActivity, listPeople, type ActivityFilters } from './service.js';
import { actorName, changes, describe, kindLabel } from './present.js';

/** "Activiteiten": the audit trail of the organisation, for its main contact only. */
export function activityRoutes({ prisma }: AppDeps): Router {
  const r = Router();

  r.get(PAGES.activity.path, guardFor('activity'), async (req, res) => {
    const actor = actorOf(req);
    const lang = langOf(req);
    const list = parseListQuery(req.query, { sorts: ['at'] as const, defaultSort: 'at', defaultDir: 'desc' });
    const personParam = str(req.query.person);
    const kindParam = str(req.query.kind);
    const filters: ActivityFilters = {
      person: /^\d{1,9}$/.test(personParam) ? Number(personParam) : null,
      kind: /^[a-z_]+(\.[a-z_]+)+$/.test(kindParam) ? kindParam : null,
    };
    const [{ total, events, subjects }, people] = await Promise.all([
      listActivity(prisma, actor, list, filters),
      listPeople(prisma, actor, filters.person),
    ]);
    const rows = events.map((e) => {
      const who = actorName(lang, e.actorLabel);
      const subject = subjects.get(`${e.subjectType}:${e.subjectId}`) ?? (e.subjectId ? `#${e.subjectId}` : '');
      return {
        id: String(e.id),
        at: e.at,
        who,
        whoUrl: e.actorId ? urlWith(req.path, req.query, { person: e.actorId }) : null,
        subjectUrl: e.subjectType === 'contact' && e.subjectId && subjects.has(`contact:${e.subjectId}`) ? urlWith(req.path, req.query, { person: e.subjectId }) : null,
        subject,
        sentence: describe(lang, e.kind, who, subject),
        kind: kindLabel(lang, e.kind),
        changes: changes(lang, e.before, e.after),
      };
    });
    const chips = [];
    if (filters.person !== null) {
      const name = people.find((p) => p.id === filters.person)?.name ?? `#${filters.person}`;
      chips.push({ label: translate(lang, 'activity.person'), value: name, removeUrl: urlWith(req.path, req.query, { person: null }) });
    }
    if (filters.kind) chips.push({ label: translate(lang, 'activity.kind'), value: kindLabel(lang, filters.kind), removeUrl: urlWith(req.path, req.query, { kind: null }) });
    res.render('activity/index', {
      rows,
      info: pageInfo(total, list),
      chips,
      filters,
      people,
      kinds: ACTIVITY_KINDS.map((k) => ({ value: k, label: kindLabel(lang, k) })),
    });
  });

  return r;
}
