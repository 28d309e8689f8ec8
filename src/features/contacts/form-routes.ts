import { Router, type Request, type Response } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { guardFor } from '../../auth/pages.js';
import { AppError } from '../../http/errors.js';
import { edgeErrors, formBody, type FieldErrors } from '../../http/validation.js';
import { flash, langOf } from '../../http/locals.js';
import type { Role } from '../../auth/roles.js';
import { mayChooseRoles } from '../../auth/web-access.js';
import { basicRolesFrom, CONTACT_MAX, formValues, parseContactForm, versionOf } from './schema.js';
import type { ChangeContext, SaveResult } from './service.js';
import type { ContactDetails } from './queries.js';
import { basicRoleChoices } from './web-access.js';
import { fullName } from '../../auth/actor.js';
import { contactId, ipOf, renderRefusal } from './params.js';

const guard = () => guardFor('contacts');

type Mode = 'new' | 'edit' | 'copy';

/** The form's values for an existing contact (strings, as the form posts them). */
function valuesOf(c: ContactDetails, mode: Mode): Record<string, string> {
  const yn = (b: boolean) => (b ? 'yes' : 'no');
  if (mode === 'copy') {
    // A copy is a colleague at the same organisation: it takes what belongs to the organisation
    // (organisation, phone, fax, subscriptions), never the other person's own mobile number,
    // gender, birth date, private address, e-mail address, password or roles.
    return {
      ...formValues({}),
      organizationId: String(c.organizationId),
      phone: c.phone ?? '',
      fax: c.fax ?? '',
      active: 'yes',
      subscribeUpdate: yn(c.subscribeUpdate),
      subscribeCare: yn(c.subscribeCare),
      subscribeBusiness: yn(c.subscribeBusiness),
      subscribeFlash: yn(c.subscribeFlash),
      privateCountry: 'Nederland',
      language: 'nl',
      webAccess: 'no',
    };
  }
  return {
    lastName: c.lastName,
    organizationId: String(c.organizationId),
    firstName: c.firstName ?? '',
    initials: c.initials ?? '',
    infix: c.infix ?? '',
    gender: c.gender ?? '',
    birthDate: c.birthDate ? c.birthDate.toISOString().slice(0, 10) : '',
    active: yn(c.active),
    subscribeUpdate: yn(c.subscribeUpdate),
    subscribeCare: yn(c.subscribeCare),
    subscribeBusiness: yn(c.subscribeBusiness),
    subscribeFlash: yn(c.subscribeFlash),
    email: c.email ?? '',
    phone: c.phone ?? '',
    fax: c.fax ?? '',
    mobile: c.mobile ?? '',
    privateStreet: c.privateStreet ?? '',
    privatePostcode: c.privatePostcode ?? '',
    privateCity: c.privateCity ?? '',
    privateCountry: c.privateCountry ?? '',
    language: c.language,
    webAccess: yn(c.webAccess),
  };
}

/** Toevoegen, Bewerken and Kopiëren: one form, three ways in. */
export function contactFormRoutes({ services, clock, config, kickMail }: BuiltDeps): Router {
  const { contacts } = services;
  const r = Router();
  const ctxOf = (req: Request, basicRoles: ReadonlySet<Role> | null): ChangeContext => ({
    now: clock.now(),
    baseUrl: config.baseUrl,
    lang: langOf(req),
    ip: ipOf(req),
    basicRoles,
  });

  const render = async (
    req: Request,
    res: Response,
    status: number,
    p: {
      mode: Mode;
      values: Record<string, string>;
      errors?: FieldErrors;
      contact?: ContactDetails;
      version?: number;
      source?: ContactDetails;
      basicRoles?: ReadonlySet<Role> | null;
    },
  ) => {
    const actor = actorOf(req);
    const orgs = actor.orgs;
    // The basic roles come with switching web access on: offered wherever it is still off.
    const offersBasicRoles = p.mode !== 'edit' || (!!p.contact && !p.contact.webAccess && !p.contact.isMain);
    const chooses = mayChooseRoles({ roles: actor.roles });
    res.status(status).render('contacts/form', {
      ...p,
      orgs,
      max: CONTACT_MAX,
      basicRoles: offersBasicRoles ? basicRoleChoices(actor, p.basicRoles ?? null) : null,
      choosesRoles: chooses,
      assigners: offersBasicRoles && !chooses ? await contacts.roleAssigners(actor) : null,
    });
  };

  /** The basic roles of the post; a name that is no basic role is a forged form. */
  const postedBasicRoles = (req: Request): ReadonlySet<Role> | null => {
    const roles = basicRolesFrom(formBody(req));
    if (roles === undefined) throw new AppError('BAD_REQUEST');
    return roles;
  };

  /**
   * After a save: flash, and what switching web access on did. The invitation is promised only
   * when it went out; otherwise the message says why the person cannot log in.
   */
  const done = (req: Request, res: Response, result: Extract<SaveResult, { ok: true }>, key: string, name: string) => {
    flash(req, 'success', key);
    const invitation = result.access?.invitation;
    if (invitation?.sent) {
      flash(req, 'info', 'contacts.invited', { name, email: invitation.email });
      kickMail?.();
    } else if (invitation) {
      flash(req, 'error', `webAccess.notInvited.${invitation.blocker}`, { name });
    }
    res.redirect(`/contacts/${result.id}`);
  };
  const nameOf = (d: { firstName: string | null; infix: string | null; lastName: string }) =>
    fullName(d.firstName, d.infix, d.lastName);

  r.get('/contacts/new', guard(), async (req, res) => {
    const actor = actorOf(req);
    const values = {
      ...formValues({}),
      organizationId: String(actor.organizationId),
      active: 'yes',
      subscribeUpdate: 'yes',
      subscribeCare: 'no',
      subscribeBusiness: 'no',
      subscribeFlash: 'no',
      webAccess: 'no',
      privateCountry: 'Nederland',
    };
    await render(req, res, 200, { mode: 'new', values });
  });

  r.post('/contacts/new', guard(), async (req, res) => {
    const refused = edgeErrors(req);
    const values = formValues(formBody(req));
    const basicRoles = postedBasicRoles(req);
    const form = parseContactForm(values, refused);
    if (!form.ok) return render(req, res, 422, { mode: 'new', values, errors: form.errors, basicRoles });
    const result = await contacts.create(actorOf(req), form.data, ctxOf(req, basicRoles));
    if (!result.ok) return render(req, res, 422, { mode: 'new', values, errors: result.errors, basicRoles });
    done(req, res, result, 'contacts.created', nameOf(form.data));
  });

  r.get('/contacts/:id/copy', guard(), async (req, res) => {
    const source = await contacts.get(actorOf(req), contactId(req));
    await render(req, res, 200, { mode: 'copy', values: valuesOf(source, 'copy'), source });
  });

  r.post('/contacts/:id/copy', guard(), async (req, res) => {
    const refused = edgeErrors(req);
    const source = await contacts.get(actorOf(req), contactId(req));
    const values = formValues(formBody(req));
    const basicRoles = postedBasicRoles(req);
    const form = parseContactForm(values, refused);
    if (!form.ok) return render(req, res, 422, { mode: 'copy', values, errors: form.errors, source, basicRoles });
    const result = await contacts.create(actorOf(req), form.data, ctxOf(req, basicRoles), source.id);
    if (!result.ok) return render(req, res, 422, { mode: 'copy', values, errors: result.errors, source, basicRoles });
    done(req, res, result, 'contacts.created', nameOf(form.data));
  });

  r.get('/contacts/:id/edit', guard(), async (req, res) => {
    const contact = await contacts.get(actorOf(req), contactId(req));
    await render(req, res, 200, { mode: 'edit', values: valuesOf(contact, 'edit'), contact, version: contact.version });
  });

  r.post('/contacts/:id/edit', guard(), async (req, res) => {
    const refused = edgeErrors(req);
    const id = contactId(req);
    const contact = await contacts.get(actorOf(req), id);
    const version = versionOf(formBody(req));
    if (Number.isNaN(version)) throw new AppError('BAD_REQUEST');
    const values = formValues(formBody(req));
    const basicRoles = postedBasicRoles(req);
    const form = parseContactForm(values, refused);
    if (!form.ok)
      return render(req, res, 422, { mode: 'edit', values, errors: form.errors, contact, version, basicRoles });
    let result: SaveResult;
    try {
      result = await contacts.update(actorOf(req), id, version, form.data, ctxOf(req, basicRoles));
    } catch (e) {
      if (e instanceof AppError && e.code === 'CONFLICT') return renderRefusal(res, 409, 'contacts.conflict', id);
      throw e;
    }
    if (!result.ok)
      return render(req, res, 422, { mode: 'edit', values, errors: result.errors, contact, version, basicRoles });
    done(req, res, result, 'contacts.saved', nameOf(form.data));
  });

  return r;
}
