import { Router, type Request } from 'express';
import type { AppDeps } from '../../app.js';
import { loginMethodsFor } from '../sso/service.js';
import { actorOf, requireRole } from '../../auth/access.js';
import { fullName } from '../../auth/actor.js';
import { PAGES } from '../../auth/pages.js';
import { Role } from '../../auth/roles.js';
import { sendCsv } from '../../http/csv.js';
import { pageInfo, parseListQuery, urlWith } from '../../http/list.js';
import { flash, langOf } from '../../http/locals.js';
import { translate } from '../../i18n/index.js';
import { CONTACT_SORTS, exportContacts, listContacts, resolveSelection, selectionEmails, type ContactRow, type ScopeOrg } from './list.js';
import { parseFilters, type ContactFilters } from './schema.js';
import { deleteContact, getContact } from './service.js';
import { contactFormRoutes } from './form-routes.js';
import { contactRolesRoutes } from './roles-routes.js';
import { contactId, ipOf } from './params.js';
import { colleagueSecurity } from '../security/colleague-service.js';

const guard = () => requireRole(PAGES.contacts.role);

/** "Mijn gegevens › Contactpersonen": list, e-mail addresses, CSV, details, delete; plus the form and roles pages. */
export function contactsRoutes(deps: AppDeps): Router {
  const { prisma, clock, config } = deps;
  const r = Router();

  const selection = async (req: Request) => {
    const actor = actorOf(req);
    const filters = parseFilters(req.query, actor.organizationId);
    const list = parseListQuery(req.query, { sorts: CONTACT_SORTS, defaultSort: 'name' });
    const { orgs, sel } = await resolveSelection(prisma, actor, filters);
    return { actor, filters, list, orgs, sel };
  };

  r.get('/contacts', guard(), async (req, res) => {
    const { actor, filters, list, orgs, sel } = await selection(req);
    const { rows, total } = await listContacts(prisma, sel, { sort: list.sort, dir: list.dir, take: list.perPage, skip: list.skip });
    // The rows are already in the actor's scope; this only adds how each of them logs in.
    const methods = Object.fromEntries(await loginMethodsFor(prisma, rows.filter((c) => c.web_access).map((c) => c.id)));
    res.render('contacts/index', {
      methods,
      list,
      filters,
      orgs,
      rows,
      info: pageInfo(total, list),
      chips: chipsFor(req, filters, orgs),
      canSubs: actor.roles.has(Role.SUBSIDIARY_ACCESS),
      emailsUrl: urlWith('/contacts/emails', req.query, {}),
      exportUrl: urlWith('/contacts/export.csv', req.query, {}),
    });
  });

  r.get('/contacts/emails', guard(), async (req, res) => {
    const { sel } = await selection(req);
    const emails = await selectionEmails(prisma, sel);
    res.render('contacts/emails', { emails, backUrl: urlWith('/contacts', req.query, {}) });
  });

  r.get('/contacts/export.csv', guard(), async (req, res) => {
    const { list, sel } = await selection(req);
    const rows = await exportContacts(prisma, sel, list.sort, list.dir);
    const t = (key: string) => translate(langOf(req), key);
    const yesNo = (b: boolean) => t(b ? 'common.yes' : 'common.no');
    sendCsv(res, t('contacts.csv.fileName'), [
      ['contacts.col.name', 'contacts.csv.lastName', 'contacts.csv.firstName', 'contacts.csv.infix', 'contacts.col.gender', 'contacts.col.active',
        'contacts.col.organization', 'contacts.col.main', 'contacts.col.phone', 'contacts.col.email', 'contacts.col.mobile', 'contacts.col.access'].map(t),
      ...rows.map((c: ContactRow) => [
        fullName(c.first_name, c.infix, c.last_name), c.last_name, c.first_name, c.infix, c.gender ? t(`contacts.gender.${c.gender}`) : '',
        yesNo(c.active), c.org_name, yesNo(c.is_main), c.phone, c.email, c.mobile, yesNo(c.web_access),
      ]),
    ]);
  });

  // The form and roles pages (/contacts/new before /contacts/:id).
  r.use(contactFormRoutes(deps));
  r.use(contactRolesRoutes(deps));

  r.get('/contacts/:id', guard(), async (req, res) => {
    const contact = await getContact(prisma, actorOf(req), contactId(req));
    const methods = (await loginMethodsFor(prisma, [contact.id])).get(contact.id) ?? [];
    const security = contact.webAccess ? await colleagueSecurity(prisma, actorOf(req), contact.id) : null;
    res.render('contacts/show', { contact, methods, security, showEmpty: req.query.empty === '1', tab: 'contact' });
  });

  r.get('/contacts/:id/delete', guard(), async (req, res) => {
    const contact = await getContact(prisma, actorOf(req), contactId(req));
    res.render('contacts/delete', { contact, self: contact.id === actorOf(req).id });
  });

  r.post('/contacts/:id/delete', guard(), async (req, res) => {
    await deleteContact(prisma, actorOf(req), contactId(req), { now: clock.now(), baseUrl: config.baseUrl, lang: langOf(req), ip: ipOf(req) });
    flash(req, 'success', 'contacts.deleted');
    res.redirect('/contacts');
  });

  return r;
}

/** The active filters as removable chips ("Organisatie › Demo Pim ✕"). */
function chipsFor(req: Request, f: ContactFilters, orgs: ScopeOrg[]) {
  const t = (key: string) => translate(langOf(req), key);
  const remove = (changes: Record<string, string | null>) => urlWith('/contacts', req.query, changes);
  const yesNo = (v: 'yes' | 'no') => t(v === 'yes' ? 'common.yes' : 'common.no');
  const chips: { label: string; value: string; removeUrl: string }[] = [];
  if (f.org !== 'all') {
    const org = orgs.find((o) => o.id === f.org) ?? orgs.find((o) => o.id === actorOf(req).organizationId);
    chips.push({ label: t('contacts.filters.organization'), value: org?.name ?? '', removeUrl: remove({ org: 'all', subs: null }) });
  }
  if (f.subs && actorOf(req).roles.has(Role.SUBSIDIARY_ACCESS)) chips.push({ label: t('contacts.filters.subs'), value: '', removeUrl: remove({ subs: null }) });
  if (f.name) chips.push({ label: t('contacts.filters.name'), value: f.name, removeUrl: remove({ name: null }) });
  if (f.active !== 'all') chips.push({ label: t('contacts.filters.active'), value: yesNo(f.active), removeUrl: remove({ active: 'all' }) });
  if (f.orgActive !== 'all') chips.push({ label: t('contacts.filters.orgActive'), value: yesNo(f.orgActive), removeUrl: remove({ orgActive: 'all' }) });
  if (f.q) chips.push({ label: t('contacts.filters.qChip'), value: f.q, removeUrl: remove({ q: null }) });
  return chips;
}
