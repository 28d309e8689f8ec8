import type { Request, Response } from 'express';
import { idParam } from '../../http/params.js';

/** The :id of a contact URL; anything but a number is simply not found. */
export function contactId(req: Request): number {
  return idParam(req.params.id);
}

/** The client's address for the audit trail. */
export function ipOf(req: Request): string {
  return req.ip ?? '';
}

/** A refusal or conflict as its own page, with links back to the contact. */
export function renderRefusal(res: Response, status: number, messageKey: string, id: number): void {
  res.status(status).render('contacts/refused', { status, messageKey, id });
}
