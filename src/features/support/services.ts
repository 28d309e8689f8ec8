import type { AuditActor } from '../../audit.js';
import { inTransaction, type Tx } from '../../db/client.js';
import { refuse } from '../../http/errors.js';
import type { ApiPage, Precondition, ServiceDeps } from '../../services.js';
import { addFaqEntry, lockFaq, removeFaqEntry, updateFaqEntry, type FaqInput, type FaqPatch } from './faq-staff.js';
import { listFaq, suggestFaq } from './service.js';

/** Takes the FAQ's writer lock, then the entry's row, and hands its version to the door's precondition. */
async function lockEntry(tx: Tx, id: number, precondition?: Precondition): Promise<void> {
  await lockFaq(tx);
  const rows = await tx.$queryRaw<
    { version: number; updated_at: Date }[]
  >`SELECT version, updated_at FROM faq_entries WHERE id = ${id} FOR UPDATE`;
  if (!rows[0]) throw refuse('id', `no FAQ entry with id ${id}`, { code: 'NOT_FOUND' });
  precondition?.({ version: rows[0].version, updatedAt: rows[0].updated_at });
}

/** The FAQ as the doors see it: the page's search, the staff tool's and the API's changes. */
export function faqServices(deps: ServiceDeps) {
  const { db } = deps;
  return {
    /** The FAQ page, optionally searched (Dutch full text, or the text as typed). */
    list: (q: string, lang: 'nl' | 'en') => listFaq(db, q, lang),
    /** Up to five questions matching a ticket title being typed. */
    suggest: (q: string, lang: 'nl' | 'en') => suggestFaq(db, q, lang),
    /** Every entry in its order (the staff tool's list). */
    listAll: () => db.faqEntry.findMany({ orderBy: [{ position: 'asc' }, { id: 'asc' }] }),
    /** One page of entries for the API, oldest change first. */
    pageForApi: (page: ApiPage) => db.faqEntry.findMany({ ...page, where: page.where }),
    /** One entry for the API; a missing one is a 404. */
    getForApi: async (id: number) => {
      const e = await db.faqEntry.findUnique({ where: { id } });
      if (!e) throw refuse('id', `No FAQ entry ${id}`, { code: 'NOT_FOUND' });
      return e;
    },
    /** Adds an entry at its position (default last). */
    add: (who: AuditActor, input: FaqInput) => addFaqEntry(db, input, who),
    /** Changes or moves an entry; the precondition sees the locked row (the API's If-Match). */
    update: (who: AuditActor, id: number, patch: FaqPatch, opts: { precondition?: Precondition } = {}) =>
      inTransaction(db, async (tx) => {
        await lockEntry(tx, id, opts.precondition);
        return updateFaqEntry(tx, id, patch, who);
      }),
    /** Removes an entry and closes the gap. */
    remove: (who: AuditActor, id: number, opts: { precondition?: Precondition } = {}) =>
      inTransaction(db, async (tx) => {
        await lockEntry(tx, id, opts.precondition);
        return removeFaqEntry(tx, id, who);
      }),
  };
}
