import { Router, type Request, type Response } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { loginMarks } from '../../auth/login-methods.js';
import { actorOf } from '../../auth/access.js';
import { fullName } from '../../auth/actor.js';
import { guardFor } from '../../auth/pages.js';
import { Role } from '../../auth/roles.js';
import { sendCsv } from '../../http/csv.js';
import { pageInfo, parseListQuery, urlWith } from '../../http/list.js';
import { flash, langOf } from '../../http/locals.js';
import { formatDateTime, translate } from '../../i18n/index.js';
import { CONTACT_SORTS, rowAccess, type ContactRow, type ScopeOrg } from './list.js';
import { parseFilters, type ContactFilters } from './schema.js';
import { contactAccess } from './queries.js';
import { contactFormRoutes } from './form-routes.js';
import { contactRolesRoutes } from './roles-routes.js';
import { contactId, ipOf } from './params.js';

const guard = () => guardFor('contacts');

/** "Mijn gegevens › Contactpersonen": list, e-mail addresses, CSV, details, delete; plus the form and roles pages. */
export function contactsRoutes(deps: BuiltDeps): Router {
  const { services, clock, config } = deps;
  const { contacts } = services;
  const r = Router();

  const selection = (req: Request) => {
    const actor = actorOf(req);
    const filters = parseFilters(req.query, actor.organizationId);
    const list = parseListQuery(req.query, { sorts: CONTACT_SORTS, defaultSort: 'name' });
    return { actor, filters, list, orgs: actor.orgs };
  };

  r.get('/contacts', guard(), async (req, res) => {
    const { actor, filters, list, orgs } = selection(req);
    const { rows, total } = await contacts.list(actor, filters, {
      sort: list.sort,
      dir: list.dir,
      take: list.perPage,
      skip: list.skip,
    });
    const now = clock.now();
    const marks = Object.fromEntries(rows.map((c) => [c.id, rowAccess(c, now)]));
    const methods = Object.fromEntries(
      rows.map((c) => [
        c.id,
        loginMarks({ hasPassword: c.has_password, ssoRequired: c.sso_required, providers: c.providers }),
      ]),
    );
    res.render('contacts/index', {
      methods,
      marks,
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
    const { actor, filters } = selection(req);
    const emails = await contacts.emails(actor, filters);
    res.render('contacts/emails', { emails, backUrl: urlWith('/contacts', req.query, {}) });
  });

  r.get('/contacts/export.csv', guard(), async (req, res) => {
    const { actor, filters, list } = selection(req);
    const rows = await contacts.export(actor, filters, list.sort, list.dir);
    const t = (key: string) => translate(langOf(req), key);
    const yesNo = (b: boolean) => t(b ? 'common.yes' : 'common.no');
    const now = clock.now();
    const access = (c: ContactRow) => {
      const mark = rowAccess(c, now);
      // Never invited is not "uitgenodigd": the same words as the list's mark.
      return t(`webAccess.mark.short.${mark.state === 'invited' && !mark.invitedAt ? 'notInvited' : mark.state}`);
    };
    sendCsv(res, t('contacts.csv.fileName'), [
      [
        'contacts.col.name',
        'contacts.csv.lastName',
        'contacts.csv.firstName',
        'contacts.csv.infix',
        'contacts.col.gender',
        'contacts.col.active',
        'contacts.col.organization',
        'contacts.col.main',
        'contacts.col.phone',
        'contacts.col.email',
        'contacts.col.mobile',
        'contacts.col.access',
      ].map(t),
      ...rows.map((c: ContactRow) => [
        fullName(c.first_name, c.infix, c.last_name),
        c.last_name,
        c.first_name,
        c.infix,
        c.gender ? t(`contacts.gender.${c.gender}`) : '',
        yesNo(c.active),
        c.org_name,
        yesNo(c.is_main),
        c.phone,
        c.email,
        c.mobile,
        access(c),
      ]),
    ]);
  });

  // The form and roles pages (/contacts/new before /contacts/:id).
  r.use(contactFormRoutes(deps));
  r.use(contactRolesRoutes(deps));

  const renderShow = async (req: Request, res: Response, status: number, id: number) => {
    const contact = await contacts.get(actorOf(req), id);
    const methods = loginMarks({
      hasPassword: contact.hasPassword,
      ssoRequired: contact.organization.ssoRequired,
      providers: contact.providers,
    });
    const security = contact.webAccess ? await services.security.colleague(actorOf(req), contact.id) : null;
    res.status(status).render('contacts/show', {
      contact,
      methods,
      security,
      access: contactAccess(contact, clock.now()),
      showEmpty: req.query.empty === '1',
      tab: 'contact',
    });
  };

  r.get('/contacts/:id', guard(), async (req, res) => renderShow(req, res, 200, contactId(req)));

  // "Uitnodiging (opnieuw) sturen": a (new) link for someone who has not set a password yet.
  r.post('/contacts/:id/invitation', guard(), async (req, res) => {
    const id = contactId(req);
    const result = await contacts.resendInvitation(actorOf(req), id, {
      now: clock.now(),
      baseUrl: config.baseUrl,
      ip: ipOf(req),
    });
    if (result.sent) {
      const said = result.first ? 'sent' : result.replacedOpenLink ? 'resent' : 'resentNoOpen';
      flash(req, 'success', `webAccess.${said}`, { email: result.email });
      deps.kickMail?.();
      return res.redirect(`/contacts/${id}`);
    }
    // Refused: the page again, with the reason (flash is taken when the page renders).
    if ('lockedUntil' in result) {
      flash(req, 'error', 'webAccess.resendLocked', { time: formatDateTime(langOf(req), result.lockedUntil) });
      return renderShow(req, res, 429, id);
    }
    const c = await contacts.get(actorOf(req), id);
    flash(req, 'error', `webAccess.notInvited.${result.blocker}`, { name: fullName(c.firstName, c.infix, c.lastName) });
    return renderShow(req, res, 409, id);
  });

  r.get('/contacts/:id/delete', guard(), async (req, res) => {
    const contact = await contacts.get(actorOf(req), contactId(req));
    res.render('contacts/delete', { contact, self: contact.id === actorOf(req).id });
  });

  r.post('/contacts/:id/delete', guard(), async (req, res) => {
    await contacts.delete(actorOf(req), contactId(req), {
      now: clock.now(),
      baseUrl: config.baseUrl,
      lang: langOf(req),
      ip: ipOf(req),
    });
    flash(req, 'success', 'contacts.deleted');
    res.redirect('/contacts');
  });

  return r;
}

/** The active filters as removable chips ("Organisatie › Demo Pim ✕"). */
function chipsFor(req: Request, f: ContactFilters, orgs: readonly ScopeOrg[]) {
  const t = (key: string) => translate(langOf(req), key);
  const remove = (changes: Record<string, string | null>) => urlWith('/contacts', req.query, changes);
  const yesNo = (v: 'yes' | 'no') => t(v === 'yes' ? 'common.yes' : 'common.no');
  const chips: { label: string; value: string; removeUrl: string }[] = [];
  if (f.org !== 'all') {
    const org = orgs.find((o) => o.id === f.org) ?? orgs.find((o) => o.id === actorOf(req).organizationId);
    chips.push({
      label: t('contacts.filters.organization'),
      value: org?.name ?? '',
      removeUrl: remove({ org: 'all', subs: null }),
    });
  }
  if (f.subs && actorOf(req).roles.has(Role.SUBSIDIARY_ACCESS))
    chips.push({ label: t('contacts.filters.subs'), value: '', removeUrl: remove({ subs: null }) });
  if (f.name) chips.push({ label: t('contacts.filters.name'), value: f.name, removeUrl: remove({ name: null }) });
  if (f.active !== 'all')
    chips.push({ label: t('contacts.filters.active'), value: yesNo(f.active), removeUrl: remove({ active: 'all' }) });
  if (f.orgActive !== 'all')
    chips.push({
      label: t('contacts.filters.orgActive'),
      value: yesNo(f.orgActive),
      removeUrl: remove({ orgActive: 'all' }),
    });
  if (f.q) chips.push({ label: t('contacts.filters.qChip'), value: f.q, removeUrl: remove({ q: null }) });
  return chips;
}
