import { z } from 'zod';
import { recordAudit, type AuditActor } from '../../audit.js';
import { inTransaction, type PrismaClient, type Tx } from '../../db/client.js';
import { text } from '../../http/fields.js';
import { refuse } from '../../http/errors.js';

/**
 * Vendor-side changes to the FAQ (Service & Support › Veelgestelde vragen): the staff tool
 * (`faq:add|edit|remove`) and the integration API use these, so the rules (lengths, English
 * question and answer together, positions 1..n without gaps) hold at every door.
 */

/** The fields of an entry, with their rules (answers are Markdown). */
export const FAQ_FIELDS = {
  questionNl: text(300),
  answerNl: text(10_000),
  questionEn: text(300),
  answerEn: text(10_000),
  position: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be a position from 1')
    .max(9999, 'must be at most 9999'),
};

/** An entry to add; without a position it goes last. */
export interface FaqInput {
  questionNl: string;
  answerNl: string;
  questionEn: string | null;
  answerEn: string | null;
  position?: number;
}
/** A change: only the fields given change; null clears the English question or answer. */
export type FaqPatch = Partial<Omit<FaqInput, 'position'>> & { position?: number };

const pick = (e: {
  position: number;
  questionNl: string;
  answerNl: string;
  questionEn: string | null;
  answerEn: string | null;
}) => ({
  position: e.position,
  questionNl: e.questionNl,
  answerNl: e.answerNl,
  questionEn: e.questionEn,
  answerEn: e.answerEn,
});

/** The English question and answer come together, or neither: the English page shows the Dutch pair otherwise. */
function checkEnglish(e: { questionEn: string | null; answerEn: string | null }): void {
  if (e.questionEn && !e.answerEn)
    throw refuse('answerEn', 'needed together with questionEn', { partner: 'questionEn' });
  if (e.answerEn && !e.questionEn) throw refuse('questionEn', 'needed together with answerEn', { partner: 'answerEn' });
}

// The FAQ's own advisory-lock key (the API's invoice numbers use 13001).
const FAQ_LOCK = 13_002;

/**
 * One FAQ writer at a time (two concurrent moves would each renumber from what they read).
 * Every change takes it first, before any row lock, so writers queue here and never deadlock.
 */
export async function lockFaq(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FAQ_LOCK}::int)`;
}

/**
 * Puts the entries in order 1..n with `moved` at `at` (1-based; past the end means last). An
 * entry whose position changes gets a new version: its ETag and last change move with it.
 */
async function renumber(tx: Tx, moved?: { id: number; at: number }): Promise<void> {
  const all = await tx.faqEntry.findMany({
    orderBy: [{ position: 'asc' }, { id: 'asc' }],
    select: { id: true, position: true },
  });
  const order = all.filter((e) => e.id !== moved?.id);
  if (moved) order.splice(Math.min(moved.at, order.length + 1) - 1, 0, { id: moved.id, position: 0 });
  for (const [i, e] of order.entries()) {
    const wanted = i + 1;
    if (all.find((x) => x.id === e.id)?.position !== wanted)
      await tx.faqEntry.update({ where: { id: e.id }, data: { position: wanted, version: { increment: 1 } } });
  }
}

/** Adds an entry at its position (default last), with its audit event. */
export async function addFaqEntry(db: PrismaClient | Tx, input: FaqInput, actor: AuditActor) {
  checkEnglish(input);
  return inTransaction(db, async (tx) => {
    await lockFaq(tx);
    const data = {
      questionNl: input.questionNl,
      answerNl: input.answerNl,
      questionEn: input.questionEn,
      answerEn: input.answerEn,
    };
    const created = await tx.faqEntry.create({ data: { ...data, position: 1_000_000 } });
    await renumber(tx, { id: created.id, at: input.position ?? 1_000_000 });
    await recordAudit(tx, { actor, kind: 'faq.created', subjectType: 'faq', subjectId: created.id, after: data });
    return tx.faqEntry.findUniqueOrThrow({ where: { id: created.id } });
  });
}

/** Changes an entry or moves it; the same values again change nothing. */
export async function updateFaqEntry(tx: Tx, id: number, patch: FaqPatch, actor: AuditActor) {
  await lockFaq(tx);
  const before = await tx.faqEntry.findUnique({ where: { id } });
  if (!before) throw refuse('id', `no FAQ entry with id ${id}`, { code: 'NOT_FOUND' });
  const data = {
    ...(patch.questionNl !== undefined ? { questionNl: patch.questionNl } : {}),
    ...(patch.answerNl !== undefined ? { answerNl: patch.answerNl } : {}),
    ...(patch.questionEn !== undefined ? { questionEn: patch.questionEn } : {}),
    ...(patch.answerEn !== undefined ? { answerEn: patch.answerEn } : {}),
  };
  checkEnglish({ ...before, ...data });
  const changed = (Object.keys(data) as (keyof typeof data)[]).some((k) => data[k] !== before[k]);
  const moves = patch.position !== undefined && patch.position !== before.position;
  if (!changed && !moves) return before;
  if (changed) await tx.faqEntry.update({ where: { id }, data: { ...data, version: { increment: 1 } } });
  if (moves) await renumber(tx, { id, at: patch.position! });
  const after = await tx.faqEntry.findUniqueOrThrow({ where: { id } });
  if (after.version === before.version) return after;
  await recordAudit(tx, {
    actor,
    kind: 'faq.updated',
    subjectType: 'faq',
    subjectId: id,
    before: pick(before),
    after: pick(after),
  });
  return after;
}

/** Removes an entry and closes the gap it leaves, with its audit event. */
export async function removeFaqEntry(db: PrismaClient | Tx, id: number, actor: AuditActor) {
  return inTransaction(db, async (tx) => {
    await lockFaq(tx);
    const before = await tx.faqEntry.findUnique({ where: { id } });
    if (!before) throw refuse('id', `no FAQ entry with id ${id}`, { code: 'NOT_FOUND' });
    await tx.faqEntry.delete({ where: { id } });
    await renumber(tx);
    await recordAudit(tx, {
      actor,
      kind: 'faq.removed',
      subjectType: 'faq',
      subjectId: id,
      before: { questionNl: before.questionNl, answerNl: before.answerNl },
    });
    return before;
  });
}
