import { Router, type Request } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { pageInfo, parseListQuery, urlWith } from '../../http/list.js';
import { str } from '../../http/validation.js';
import { langOf } from '../../http/locals.js';
import { sendCsv } from '../../http/csv.js';
import { sendDownload } from '../../http/download.js';
import { formatDateTime, translate } from '../../i18n/index.js';
import { ORG_SORTS, type OrgFilters } from './service.js';
import { addressLine, overviewCsvRows, overviewPdf } from './export.js';
import { idParam } from '../../http/params.js';

const ACTIVE_VALUES = ['yes', 'no', 'all'] as const;

/** "Actief ja/nee": like the manual, the list starts at "Actief › ja"; 'all' lifts the filter. */
function parseActive(req: Request): (typeof ACTIVE_VALUES)[number] {
  const v = str(req.query.active);
  return (ACTIVE_VALUES as readonly string[]).includes(v) ? (v as (typeof ACTIVE_VALUES)[number]) : 'yes';
}

/** File-name-safe version of an organisation's name. */
function fileBase(name: string): string {
  return `Organisatie ${name}`
    .replace(/[^\p{L}\p{N} ._()-]+/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
}

/** Mijn gegevens › Organisatie: the list, the detail with its tabs, and the overview downloads. */
export function organisationRoutes({ services, clock }: BuiltDeps): Router {
  const r = Router();
  const guard = () => guardFor('organisations');

  r.get(PAGES.organisations.path, guard(), async (req, res) => {
    const actor = actorOf(req);
    const list = parseListQuery(req.query, { sorts: ORG_SORTS, defaultSort: 'name' });
    const active = parseActive(req);
    const filters: OrgFilters = { active: active === 'all' ? null : active === 'yes' };
    const { total, rows } = await services.organisations.list(actor, list, filters);
    const t = (k: string) => translate(langOf(req), k);
    const chips = [];
    if (active !== 'all') {
      chips.push({
        label: t('organisations.active'),
        value: t(active === 'yes' ? 'common.yes' : 'common.no'),
        removeUrl: urlWith(req.path, req.query, { active: 'all' }),
      });
    }
    if (list.q)
      chips.push({ label: t('list.search'), value: list.q, removeUrl: urlWith(req.path, req.query, { q: null }) });
    res.render('organisations/list', {
      list,
      active,
      rows: rows.map((o) => ({ ...o, address: addressLine(o.postalStreet, null, o.postalCity, o.postalCountry) })),
      info: pageInfo(total, list),
      chips,
    });
  });

  r.get(`${PAGES.organisations.path}/:id`, guard(), async (req, res) => {
    const org = await services.organisations.get(actorOf(req), idParam(req.params.id));
    const twoStep = await services.security.twoStepRequirement(actorOf(req), org.id);
    const tab = str(req.query.tab) === 'subsidiaries' ? 'subsidiaries' : 'organisation';
    res.render('organisations/detail', {
      org,
      twoStep,
      tab,
      postal: [
        org.postalStreet,
        [org.postalPostcode, org.postalCity].filter(Boolean).join(' '),
        org.postalCountry,
      ].filter(Boolean),
      visit: [org.visitStreet, [org.visitPostcode, org.visitCity].filter(Boolean).join(' '), org.visitCountry].filter(
        Boolean,
      ),
      subsidiaries: org.subsidiaries.map((o) => ({
        ...o,
        address: addressLine(o.postalStreet, null, o.postalCity, o.postalCountry),
      })),
    });
  });

  r.get(`${PAGES.organisations.path}/:id/overview.csv`, guard(), async (req, res) => {
    const rows = await services.organisations.overview(actorOf(req), idParam(req.params.id));
    const lang = langOf(req);
    sendCsv(
      res,
      `${fileBase(rows[0]!.name)}.csv`,
      overviewCsvRows(rows, (k, p) => translate(lang, k, p)),
    );
  });

  r.get(`${PAGES.organisations.path}/:id/overview.pdf`, guard(), async (req, res) => {
    const rows = await services.organisations.overview(actorOf(req), idParam(req.params.id));
    const lang = langOf(req);
    const body = await overviewPdf(rows, (k, p) => translate(lang, k, p), formatDateTime(lang, clock.now()));
    sendDownload(res, { fileName: `${fileBase(rows[0]!.name)}.pdf`, contentType: 'application/pdf', body });
  });

  return r;
}
