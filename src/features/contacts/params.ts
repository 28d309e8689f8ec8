import type { Request, Response } from 'express';
import { AppError } from '../../http/errors.js';

/** The :id of a contact URL; anything but a number is simply not found. */
export function contactId(req: Request): number {
  const id = String(req.params.id ?? '');
  if (!/^\d{1,9}$/.test(id)) throw new AppError('NOT_FOUND');
  return Number(id);
}

/** The client's address for the audit trail. */
export function ipOf(req: Request): string {
  return req.ip ?? '';
}

/** A refusal or conflict as its own page, with links back to the contact. */
export function renderRefusal(res: Response, status: number, messageKey: string, id: number): void {
  res.status(status).render('contacts/refused', { status, messageKey, id });
}
