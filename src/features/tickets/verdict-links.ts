import { signToken, verifyToken } from '../../mail/links.js';

/** The five answers to "Hoe tevreden bent u?", 5 = very satisfied. */
export const VERDICT_SCORES = [5, 4, 3, 2, 1] as const;

/** The signed token of a ticket's verdict links: binds ticket and reporter, no login needed. */
export function verdictToken(secret: string, ticketId: number, contactId: number): string {
  return signToken(secret, `v:${ticketId}:${contactId}`);
}

/** Ticket and person of a valid verdict token; null otherwise. */
export function readVerdictToken(secret: string, token: string): { ticketId: number; contactId: number } | null {
  const m = /^v:(\d{1,9}):(\d{1,9})$/.exec(verifyToken(secret, token) ?? '');
  return m ? { ticketId: Number(m[1]), contactId: Number(m[2]) } : null;
}

/** The five one-click links of the resolved mail (each opens a page that asks to confirm). */
export function verdictLinks(
  ctx: { baseUrl: string; linkSecret: string },
  ticketId: number,
  contactId: number,
): { score: number; url: string }[] {
  const token = verdictToken(ctx.linkSecret, ticketId, contactId);
  return VERDICT_SCORES.map((score) => ({ score, url: `${ctx.baseUrl}/mail/verdict/${token}?score=${score}` }));
}
