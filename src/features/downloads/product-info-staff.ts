import { recordAudit, type AuditActor } from '../../audit.js';
import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import { refuse } from '../../http/errors.js';
import { hasForbiddenChars } from '../../http/text.js';
import { PRODUCT_INFO_KEY } from './content.js';

/**
 * The staff-written text of Downloads › Productinformatie (Markdown, Dutch and optionally
 * English): `product-info:set` and the integration API write it through here. Refusals name
 * `bodyNl` or `bodyEn`.
 */

/** The longest text, in bytes of UTF-8 (a page, not a book). */
export const PRODUCT_INFO_MAX_BYTES = 50_000;

/** The stored text with what its ETag is made of; null while the page shows its default text. */
export async function getProductInfo(db: PrismaClient | Tx) {
  return db.pageContent.findUnique({ where: { key: PRODUCT_INFO_KEY } });
}

function check(field: 'bodyNl' | 'bodyEn', body: string): void {
  if (!body.trim()) throw refuse(field, 'must not be empty');
  if (Buffer.byteLength(body, 'utf8') > PRODUCT_INFO_MAX_BYTES)
    throw refuse(field, `must be at most ${PRODUCT_INFO_MAX_BYTES} bytes`);
  if (hasForbiddenChars(body, true)) throw refuse(field, 'must not hold control characters');
}

/** Who wrote the text, as the row keeps it: the staff member's user name, or the API token's name. */
function writer(actor: AuditActor): string {
  if (actor === 'system') return 'system';
  if ('staff' in actor) return actor.staff;
  if ('api' in actor) return `api:${actor.api}`;
  return actor.displayName;
}

/**
 * Sets the text (no English: the English page shows the Dutch text), with its audit event. The
 * same text again changes nothing. Returns whether there was a staff text before.
 */
export async function setProductInfo(
  db: PrismaClient | Tx,
  text: { bodyNl: string; bodyEn: string | null },
  actor: AuditActor,
): Promise<{ existed: boolean }> {
  check('bodyNl', text.bodyNl);
  if (text.bodyEn !== null) check('bodyEn', text.bodyEn);
  return inTransaction(db, async (tx) => {
    const before = await tx.pageContent.findUnique({ where: { key: PRODUCT_INFO_KEY } });
    if (before && before.bodyNl === text.bodyNl && before.bodyEn === text.bodyEn) return { existed: true };
    const data = { bodyNl: text.bodyNl, bodyEn: text.bodyEn, updatedBy: writer(actor) };
    if (before)
      await tx.pageContent.update({ where: { key: PRODUCT_INFO_KEY }, data: { ...data, version: { increment: 1 } } });
    else await tx.pageContent.create({ data: { key: PRODUCT_INFO_KEY, ...data } });
    await recordAudit(tx, {
      actor,
      kind: 'pageContent.updated',
      subjectType: 'pageContent',
      subjectId: PRODUCT_INFO_KEY,
      before: before ? { bodyNl: before.bodyNl, bodyEn: before.bodyEn } : null,
      after: { bodyNl: text.bodyNl, bodyEn: text.bodyEn },
    });
    return { existed: !!before };
  });
}

/**
 * Removes the staff text (the page shows its default text again), with its audit event. Returns whether there was one.
 */
export async function resetProductInfo(db: PrismaClient | Tx, actor: AuditActor): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const before = await tx.pageContent.findUnique({ where: { key: PRODUCT_INFO_KEY } });
    if (!before) return false;
    await tx.pageContent.delete({ where: { key: PRODUCT_INFO_KEY } });
    await recordAudit(tx, {
      actor,
      kind: 'pageContent.reset',
      subjectType: 'pageContent',
      subjectId: PRODUCT_INFO_KEY,
      before: { bodyNl: before.bodyNl, bodyEn: before.bodyEn },
    });
    return true;
  });
}
