import { Router } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { PAGES, guardFor } from '../../auth/pages.js';
import { langOf } from '../../http/locals.js';
import { str } from '../../http/validation.js';

/** Service & Support › FAQ and Support op afstand. */
export function supportRoutes({ services, config }: BuiltDeps): Router {
  const r = Router();

  r.get(PAGES.faq.path, guardFor('faq'), async (req, res) => {
    const q = str(req.query.q).slice(0, 200);
    const entries = await services.faq.list(q, langOf(req));
    res.render('support/faq', { entries, q, helpdeskEmail: config.tickets.helpdeskEmail });
  });

  // Suggestions under the title of a new ticket (public/js/faq-suggest.js); JSON, rendered as text.
  r.get(PAGES.faqSuggest.path, guardFor('faqSuggest'), async (req, res) => {
    const q = str(req.query.q).slice(0, 200);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ entries: q.length >= 3 ? await services.faq.suggest(q, langOf(req)) : [] });
  });

  r.get(PAGES.remoteSupport.path, guardFor('remoteSupport'), (_req, res) => {
    res.render('support/remote', { downloadUrl: config.tickets.remoteSupportUrl });
  });

  return r;
}
