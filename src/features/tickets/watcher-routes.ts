import type { Request, RequestHandler, Router } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { actorOf } from '../../auth/access.js';
import { idParam } from '../../http/params.js';
import { flash } from '../../http/locals.js';
import { pageInfo } from '../../http/list.js';
import { str, formBody } from '../../http/validation.js';
import { MAX_WATCHERS } from './watchers.js';

/** Betrokkenen (CC) of a ticket: the picker page, add, remove (also oneself). */
export function registerWatcherRoutes(r: Router, { services }: BuiltDeps, guard: () => RequestHandler): void {
  const { tickets } = services;
  const pickerPage = async (req: Request) => {
    const actor = actorOf(req);
    const id = idParam(req.params.id);
    const q = str(req.query.q).slice(0, 100);
    const page = Math.min(Math.max(Number.parseInt(str(req.query.page), 10) || 1, 1), 400);
    const found = await tickets.watcherCandidates(actor, id, q, page);
    const watchers = await tickets.watchers(actor, id);
    return {
      ticket: found.ticket,
      q,
      candidates: found.rows,
      info: pageInfo(found.total, { page, perPage: found.perPage }),
      watchers,
      max: MAX_WATCHERS,
    };
  };

  r.get('/tickets/:id/watchers', guard(), async (req, res) => {
    res.render('tickets/watchers', await pickerPage(req));
  });

  r.post('/tickets/:id/watchers', guard(), async (req, res) => {
    const id = idParam(req.params.id);
    const result = await tickets.addWatcher(actorOf(req), id, idParam(str(formBody(req).contactId)));
    if (!result.added) return res.status(422).render('tickets/watchers', { ...(await pickerPage(req)), full: true });
    flash(req, 'success', 'tickets.watchers.added');
    res.redirect(303, `/tickets/${id}/watchers`);
  });

  r.post('/tickets/:id/watchers/:contactId/remove', guard(), async (req, res) => {
    const actor = actorOf(req);
    const id = idParam(req.params.id);
    const contactId = idParam(req.params.contactId);
    await tickets.removeWatcher(actor, id, contactId);
    if (contactId === actor.id) {
      flash(req, 'success', 'tickets.watchers.removedSelf');
      // Perhaps no longer theirs to see: back to the list, never to a 404.
      return res.redirect(303, '/tickets');
    }
    flash(req, 'success', 'tickets.watchers.removed');
    res.redirect(303, str(formBody(req).back) === 'ticket' ? `/tickets/${id}` : `/tickets/${id}/watchers`);
  });
}
