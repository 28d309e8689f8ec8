import { Router, type Request } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { sendCsv } from '../../http/csv.js';
import { pageInfo, parseListQuery, urlWith } from '../../http/list.js';
import { langOf } from '../../http/locals.js';
import { formatDate, formatDateTime, translate, type Locale } from '../../i18n/index.js';
import { str } from '../../http/validation.js';
import { ACTIVITY_CSV_LIMIT, ACTIVITY_GROUPS, parseActivityFilters, type ActivityFilters } from './service.js';
import { kindLabel, presentEvent } from './present.js';

/**
 * "Activiteiten": the organisation's audit trail in sentences, for its main contact only; `?format=csv` downloads it.
 */
export function activityRoutes({ services }: BuiltDeps): Router {
  const r = Router();

  r.get(PAGES.activity.path, guardFor('activity'), async (req, res) => {
    const actor = actorOf(req);
    const lang = langOf(req);
    const t = (key: string, params?: Record<string, string | number>) => translate(lang, key, params);
    const filters = parseActivityFilters(req.query);

    const refused = Object.keys(filters.errors).length > 0;
    if (req.query.format === 'csv' && !refused) {
      const { events, look } = await services.activity.export(actor, filters);
      const rows = events.map((e) => presentEvent(lang, e, look));
      return sendCsv(res, t('activity.csvFile'), [
        [t('activity.when'), t('activity.who'), t('activity.what'), t('activity.kind'), t('activity.changes')],
        ...rows.map((e) => [
          formatDateTime(lang, e.at),
          e.who,
          e.sentence,
          e.kind,
          e.changes.map((c) => `${c.field}: ${c.before} → ${c.after}`).join('; '),
        ]),
      ]);
    }

    const list = parseListQuery(req.query, { sorts: ['at'] as const, defaultSort: 'at', defaultDir: 'desc' });
    const { total, events, people, look } = await services.activity.page(actor, list, filters);
    const rows = events.map((e) => {
      const row = presentEvent(lang, e, look);
      return { ...row, whoUrl: row.whoId ? urlWith(req.path, req.query, { person: row.whoId }) : null };
    });
    // A day that is not a day: the page says which (422), and lists without that bound.
    res.status(refused ? 422 : 200).render('activity/index', {
      errors: filters.errors,
      form: {
        from: filters.errors.from ? str(req.query.from) : filters.from ? day(lang, filters.from.text) : '',
        to: filters.errors.to ? str(req.query.to) : filters.to ? day(lang, filters.to.text) : '',
      },
      rows,
      info: pageInfo(total, list),
      chips: chipsFor(req, filters, people),
      filters,
      people,
      groups: ACTIVITY_GROUPS.map((g) => ({
        label: t(`activity.groups.${g.group}`),
        kinds: g.kinds.map((k) => ({ value: k, label: kindLabel(lang, k) })),
      })),
      csvUrl: urlWith(req.path, req.query, { format: 'csv', page: null }),
      csvLimit: ACTIVITY_CSV_LIMIT,
    });
  });

  return r;
}

/** A YYYY-MM-DD day as the page writes dates (1-7-2026). */
const day = (lang: Locale, iso: string) => formatDate(lang, new Date(`${iso}T12:00:00Z`));

/** The active filters as removable chips. */
function chipsFor(req: Request, f: ActivityFilters, people: { id: number; name: string }[]) {
  const lang = langOf(req);
  const remove = (changes: Record<string, null>) => urlWith(req.path, req.query, changes);
  const chips: { label: string; value: string; removeUrl: string }[] = [];
  if (f.person !== null) {
    const name = people.find((p) => p.id === f.person)?.name ?? translate(lang, 'activity.someone');
    chips.push({ label: translate(lang, 'activity.person'), value: name, removeUrl: remove({ person: null }) });
  }
  if (f.kind)
    chips.push({
      label: translate(lang, 'activity.kind'),
      value: kindLabel(lang, f.kind),
      removeUrl: remove({ kind: null }),
    });
  if (f.from)
    chips.push({
      label: translate(lang, 'activity.from'),
      value: day(lang, f.from.text),
      removeUrl: remove({ from: null }),
    });
  if (f.to)
    chips.push({ label: translate(lang, 'activity.to'), value: day(lang, f.to.text), removeUrl: remove({ to: null }) });
  return chips;
}
