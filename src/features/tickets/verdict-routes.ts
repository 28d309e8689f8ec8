import type { Request, Router } from 'express';
import type { BuiltDeps } from '../../deps.js';
import { publicRoute } from '../../auth/access.js';
import { AppError } from '../../http/errors.js';
import { edgeErrors, formBody, str } from '../../http/validation.js';
import { readVerdictToken, VERDICT_SCORES } from './verdict-links.js';

/**
 * "Hoe tevreden bent u?": the five links of the resolved mail open a page that asks to confirm
 * (a link scanner that follows a GET votes for nobody); the form's POST records the answer.
 */
export function registerVerdictRoutes(r: Router, { services, config }: BuiltDeps): void {
  const { tickets } = services;
  const target = (req: Request) => {
    const t = readVerdictToken(config.tickets.linkSecret, String(req.params.token));
    if (!t) throw new AppError('NOT_FOUND');
    return t;
  };
  const scoreOf = (v: unknown) => {
    const n = Number(str(v));
    return (VERDICT_SCORES as readonly number[]).includes(n) ? n : null;
  };

  r.get('/mail/verdict/:token', publicRoute, async (req, res) => {
    const t = target(req);
    const state = await tickets.verdictState(t.ticketId, t.contactId);
    const chosen = scoreOf(req.query.score) ?? state.verdict?.score ?? null;
    res.render('tickets/verdict', {
      ...state,
      token: req.params.token,
      scores: VERDICT_SCORES,
      chosen,
      comment: state.verdict?.comment ?? '',
    });
  });

  r.post('/mail/verdict/:token', publicRoute, async (req, res) => {
    const t = target(req);
    // A control character or broken UTF-8 in the comment: the page again with the comment's rest.
    const refused = edgeErrors(req);
    const score = scoreOf(formBody(req).score);
    const comment = str(formBody(req).comment).slice(0, 2000);
    if (score === null || Object.keys(refused).length) {
      const state = await tickets.verdictState(t.ticketId, t.contactId);
      return res.status(422).render('tickets/verdict', {
        ...state,
        token: req.params.token,
        scores: VERDICT_SCORES,
        chosen: score,
        comment,
        errors: { ...(score === null ? { score: 'tickets.verdict.chooseScore' } : {}), ...refused },
      });
    }
    await tickets.recordVerdict(t.ticketId, t.contactId, score, comment || null);
    const state = await tickets.verdictState(t.ticketId, t.contactId);
    res.render('tickets/verdict', {
      ...state,
      token: req.params.token,
      scores: VERDICT_SCORES,
      chosen: score,
      comment,
      saved: true,
    });
  });
}
