import { Router, type Request, type Response } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { Role } from '../../auth/roles.js';
import { AppError } from '../../http/errors.js';
import { flash } from '../../http/locals.js';
import { rolesFrom } from './schema.js';
import type { ContactDetails } from './queries.js';
import { roleLines } from './roles-service.js';
import { contactId, ipOf } from './params.js';
import { formBody } from '../../http/validation.js';

/** The Rollen tab (seen with MANAGE_CONTACTS) and Rollen wijzigen (ASSIGN_ROLES, which needs MANAGE_CONTACTS). */
export function contactRolesRoutes({ services, clock, config, kickMail }: BuiltDeps): Router {
  const { contacts } = services;
  const r = Router();

  const renderEdit = (req: Request, res: Response, status: number, contact: ContactDetails, refused?: string) =>
    res.status(status).render('contacts/roles-edit', { contact, lines: roleLines(actorOf(req), contact), refused });

  r.get('/contacts/:id/roles', guardFor('contacts'), async (req, res) => {
    const actor = actorOf(req);
    const contact = await contacts.get(actor, contactId(req));
    // The tab exists once web access is on (the main contact always has it).
    if (!contact.webAccess && !contact.isMain) return res.redirect(`/contacts/${contact.id}`);
    const assigns = actor.roles.has(Role.ASSIGN_ROLES) && !contact.isMain;
    res.render('contacts/roles', {
      contact,
      tab: 'roles',
      lines: roleLines(actor, contact).filter((l) => l.held),
      // Not one's own: the rule refuses it (roleChangeRefusal), so the page says so instead of offering it.
      canChange: assigns && contact.id !== actor.id,
      ownRoles: assigns && contact.id === actor.id,
    });
  });

  r.get(PAGES.contactRolesEdit.path, guardFor('contactRolesEdit'), async (req, res) => {
    const contact = await contacts.get(actorOf(req), contactId(req));
    if (!contact.webAccess && !contact.isMain) return res.redirect(`/contacts/${contact.id}`);
    renderEdit(req, res, 200, contact);
  });

  r.post('/contacts/:id/roles', guardFor('contactRolesEdit'), async (req, res) => {
    const id = contactId(req);
    const wanted = rolesFrom(formBody(req));
    if (!wanted) throw new AppError('BAD_REQUEST');
    const result = await contacts.changeRoles(actorOf(req), id, wanted, {
      ip: ipOf(req),
      now: clock.now(),
      baseUrl: config.baseUrl,
    });
    if (result.refused) return renderEdit(req, res, 403, result.contact, result.refused);
    flash(req, 'success', 'contacts.roles.saved');
    if (result.refused === null && result.invitation?.sent) {
      flash(req, 'info', 'webAccess.invitedNow', { email: result.invitation.email });
      kickMail?.();
    }
    res.redirect(`/contacts/${id}/roles`);
  });

  return r;
}
