import type { Actor } from '../../auth/actor.js';
import { Role } from '../../auth/roles.js';
import { scope } from '../../auth/scope.js';
import type { PrismaClient, Tx } from '../../db/client.js';

/**
 * The invoice a "Vraag over deze factuur" ticket is about, when the person may see it
 * (VIEW_INVOICES and the invoice's organisation in scope); null otherwise, so an invoice
 * id in a URL never reveals anything.
 */
export async function invoiceForQuestion(db: PrismaClient | Tx, actor: Actor, invoiceId: number | null) {
  if (!invoiceId || !actor.roles.has(Role.VIEW_INVOICES)) return null;
  return db.invoice.findFirst({
    where: { AND: [{ id: invoiceId }, scope.invoices(actor)] },
    select: { id: true, number: true, title: true, organizationId: true },
  });
}

/** The new-ticket form filled in for a question about an invoice. */
export function invoiceQuestionValues(
  invoice: { id: number; number: number; organizationId: number },
  title: string,
): Record<string, string> {
  return {
    invoiceId: String(invoice.id),
    organizationId: String(invoice.organizationId),
    title,
    customerReference: String(invoice.number),
    kind: 'QUESTION',
  };
}
