import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { guardFor } from '../../auth/pages.js';
import { AppError } from '../../http/errors.js';
import type { FieldErrors } from '../../http/validation.js';
import { flash, langOf } from '../../http/locals.js';
import { CONTACT_MAX, formValues, parseContactForm, versionOf } from './schema.js';
import { createContact, getContact, updateContact, type ChangeContext, type ContactDetails, type SaveResult } from './service.js';
import { contactId, ipOf, renderRefusal } from './params.js';

const guard = () => guardFor('contacts');

type Mode = 'new' | 'edit' | 'copy';

/** The form's values for an existing contact (strings, as the form posts them). */
function valuesOf(c: ContactDetails, mode: Mode): Record<string, string> {
  const yn = (b: boolean) => (b ? 'yes' : 'no');
  const copy = mode === 'copy';
  return {
    lastName: c.lastName, organizationId: String(c.organizationId), firstName: c.firstName ?? '', initials: c.initials ?? '',
    infix: c.infix ?? '', gender: c.gender ?? '', birthDate: c.birthDate ? c.birthDate.toISOString().slice(0, 10) : '',
    active: yn(copy ? true : c.active), subscribeUpdate: yn(c.subscribeUpdate), subscribeCare: yn(c.subscribeCare),
    subscribeBusiness: yn(c.subscribeBusiness), subscribeFlash: yn(c.subscribeFlash),
    // A copy is a new person: no e-mail address, so no web access (and never a password or roles).
    email: copy ? '' : (c.email ?? ''), phone: c.phone ?? '', fax: c.fax ?? '', mobile: c.mobile ?? '',
    privateStreet: c.privateStreet ?? '', privatePostcode: c.privatePostcode ?? '', privateCity: c.privateCity ?? '',
    privateCountry: c.privateCountry ?? '', webAccess: yn(copy ? false : c.webAccess),
  };
}

/** Toevoegen, Bewerken and Kopiëren: one form, three ways in. */
export function contactFormRoutes({ prisma, clock, config, kickMail }: AppDeps): Router {
  const r = Router();
  const ctxOf = (req: Request): ChangeContext => ({ now: clock.now(), baseUrl: config.baseUrl, lang: langOf(req), ip: ipOf(req) });

  const render = async (req: Request, res: Response, status: number, p: { mode: Mode; values: Record<string, string>; errors?: FieldErrors; contact?: ContactDetails; version?: number; source?: ContactDetails }) => {
    const orgs = actorOf(req).orgs;
    res.status(status).render('contacts/form', { ...p, orgs, max: CONTACT_MAX });
  };

  /** After a save: flash, mail worker nudge when web access was given, back to the details. */
  const done = (req: Request, res: Response, result: Extract<SaveResult, { ok: true }>, key: string, invited: boolean) => {
    flash(req, 'success', key);
    if (invited) {
      flash(req, 'info', 'contacts.invited');
      kickMail?.();
    }
    res.redirect(`/contacts/${result.id}`);
  };

  r.get('/contacts/new', guard(), async (req, res) => {
    const actor = actorOf(req);
    const values = {
      ...formValues({}),
      organizationId: String(actor.organizationId), active: 'yes', subscribeUpdate: 'yes', subscribeCare: 'no',
      subscribeBusiness: 'no', subscribeFlash: 'no', webAccess: 'no', privateCountry: 'Nederland',
    };
    await render(req, res, 200, { mode: 'new', values });
  });

  r.post('/contacts/new', guard(), async (req, res) => {
    const values = formValues(req.body);
    const form = parseContactForm(values);
    if (!form.ok) return render(req, res, 422, { mode: 'new', values, errors: form.errors });
    const result = await createContact(prisma, actorOf(req), form.data, ctxOf(req));
    if (!result.ok) return render(req, res, 422, { mode: 'new', values, errors: result.errors });
    done(req, res, result, 'contacts.created', form.data.webAccess && !!form.data.email);
  });

  r.get('/contacts/:id/copy', guard(), async (req, res) => {
    const source = await getContact(prisma, actorOf(req), contactId(req));
    await render(req, res, 200, { mode: 'copy', values: valuesOf(source, 'copy'), source });
  });

  r.post('/contacts/:id/copy', guard(), async (req, res) => {
    const source = await getContact(prisma, actorOf(req), contactId(req));
    const values = formValues(req.body);
    const form = parseContactForm(values);
    if (!form.ok) return render(req, res, 422, { mode: 'copy', values, errors: form.errors, source });
    const result = await createContact(prisma, actorOf(req), form.data, ctxOf(req), source.id);
    if (!result.ok) return render(req, res, 422, { mode: 'copy', values, errors: result.errors, source });
    done(req, res, result, 'contacts.created', form.data.webAccess && !!form.data.email);
  });

  r.get('/contacts/:id/edit', guard(), async (req, res) => {
    const contact = await getContact(prisma, actorOf(req), contactId(req));
    await render(req, res, 200, { mode: 'edit', values: valuesOf(contact, 'edit'), contact, version: contact.version });
  });

  r.post('/contacts/:id/edit', guard(), async (req, res) => {
    const id = contactId(req);
    const contact = await getContact(prisma, actorOf(req), id);
    const version = versionOf(req.body);
    if (Number.isNaN(version)) throw new AppError('BAD_REQUEST');
    const values = formValues(req.body);
    const form = parseContactForm(values);
    if (!form.ok) return render(req, res, 422, { mode: 'edit', values, errors: form.errors, contact, version });
    let result: SaveResult;
    try {
      result = await updateContact(prisma, actorOf(req), id, version, form.data, ctxOf(req));
    } catch (e) {
      if (e instanceof AppError && e.code === 'CONFLICT') return renderRefusal(res, 409, 'contacts.conflict', id);
      throw e;
    }
    if (!result.ok) return render(req, res, 422, { mode: 'edit', values, errors: result.errors, contact, version });
    done(req, res, result, 'contacts.saved', !contact.webAccess && form.data.webAccess && !!form.data.email);
  });

  return r;
}

