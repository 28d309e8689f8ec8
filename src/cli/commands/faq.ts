import type { Command } from 'commander';
import { z } from 'zod';
import { recordAudit } from '../../audit.js';
import type { Tx } from '../../db/client.js';
import { CliError, id, parse, staffActor, text, type CliContext } from '../validate.js';

const position = z.string().trim().regex(/^[1-9]\d{0,3}$/, 'must be a position from 1').transform(Number);
const FaqAdd = z.object({
  question: text(300),
  answer: text(10_000),
  questionEn: text(300).optional(),
  answerEn: text(10_000).optional(),
  position: position.optional(),
});
const FaqEdit = FaqAdd.partial().extend({ id });

const pick = (e: { position: number; questionNl: string; answerNl: string; questionEn: string | null; answerEn: string | null }) => ({
  position: e.position,
  questionNl: e.questionNl,
  answerNl: e.answerNl,
  questionEn: e.questionEn,
  answerEn: e.answerEn,
});

/** Puts the entries in order 1..n with `moved` at `at` (1-based; past the end means last). */
async function renumber(tx: Tx, moved?: { id: number; at: number }): Promise<void> {
  const all = await tx.faqEntry.findMany({ orderBy: [{ position: 'asc' }, { id: 'asc' }], select: { id: true, position: true } });
  const order = all.filter((e) => e.id !== moved?.id);
  if (moved) order.splice(Math.min(moved.at, order.length + 1) - 1, 0, { id: moved.id, position: 0 });
  for (const [i, e] of order.entries()) {
    const wanted = i + 1;
    if (all.find((x) => x.id === e.id)?.position !== wanted) await tx.faqEntry.update({ where: { id: e.id }, data: { position: wanted } });
  }
}

/** Registers `faq:list`, `faq:add`, `faq:edit` and `faq:remove` (answers are Markdown). */
export function registerFaqCommands(program: Command, ctx: CliContext): void {
  const { prisma } = ctx;

  program
    .command('faq:list')
    .description('list the FAQ, tab-separated: id, position, question')
    .action(async () => {
      const rows = await prisma.faqEntry.findMany({ orderBy: [{ position: 'asc' }, { id: 'asc' }] });
      for (const e of rows) ctx.out([e.id, e.position, e.questionNl].join('\t'));
    });

  program
    .command('faq:add')
    .description('add a question and answer to the FAQ (answer in Markdown; HTML is shown as text)')
    .requiredOption('--question <text>', 'the question (Dutch)')
    .requiredOption('--answer <markdown>', 'the answer (Dutch)')
    .option('--question-en <text>', 'the question (English)')
    .option('--answer-en <markdown>', 'the answer (English)')
    .option('--position <n>', 'place in the list, from 1 (default: last)')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(FaqAdd, raw);
      if (!!o.questionEn !== !!o.answerEn) throw new CliError(o.questionEn ? '--answer-en: needed together with --question-en' : '--question-en: needed together with --answer-en');
      const entry = await prisma.$transaction(async (tx) => {
        const data = { questionNl: o.question, answerNl: o.answer, questionEn: o.questionEn ?? null, answerEn: o.answerEn ?? null };
        const created = await tx.faqEntry.create({ data: { ...data, position: 1_000_000 } });
        await renumber(tx, { id: created.id, at: o.position ?? 1_000_000 });
        await recordAudit(tx, { actor: staffActor(), kind: 'faq.created', subjectType: 'faq', subjectId: created.id, after: data });
        return tx.faqEntry.findUniqueOrThrow({ where: { id: created.id } });
      });
      ctx.out(`faq ${entry.id} added at position ${entry.position}: ${entry.questionNl}`);
    });

  program
    .command('faq:edit')
    .description('change a FAQ entry (only the options given) or move it with --position')
    .argument('<id>', 'FAQ entry id (see faq:list)')
    .option('--question <text>', 'the question (Dutch)')
    .option('--answer <markdown>', 'the answer (Dutch)')
    .option('--question-en <text>', 'the question (English)')
    .option('--answer-en <markdown>', 'the answer (English)')
    .option('--position <n>', 'new place in the list, from 1')
    .action(async (rawId: string, raw: Record<string, unknown>) => {
      const o = parse(FaqEdit, { ...raw, id: rawId }, ['id']);
      if (Object.keys(raw).length === 0) throw new CliError('--question: give at least one of --question, --answer, --question-en, --answer-en, --position');
      const entry = await prisma.$transaction(async (tx) => {
        const before = await tx.faqEntry.findUnique({ where: { id: o.id } });
        if (!before) throw new CliError(`<id>: no FAQ entry with id ${o.id}`);
        const data = {
          ...(o.question !== undefined ? { questionNl: o.question } : {}),
          ...(o.answer !== undefined ? { answerNl: o.answer } : {}),
          ...(o.questionEn !== undefined ? { questionEn: o.questionEn } : {}),
          ...(o.answerEn !== undefined ? { answerEn: o.answerEn } : {}),
        };
        await tx.faqEntry.update({ where: { id: o.id }, data });
        if (o.position !== undefined) await renumber(tx, { id: o.id, at: o.position });
        const after = await tx.faqEntry.findUniqueOrThrow({ where: { id: o.id } });
        await recordAudit(tx, {
          actor: staffActor(),
          kind: 'faq.updated',
          subjectType: 'faq',
          subjectId: o.id,
          before: pick(before),
          after: pick(after),
        });
        return after;
      });
      ctx.out(`faq ${entry.id} updated (position ${entry.position}): ${entry.questionNl}`);
    });

  program
    .command('faq:remove')
    .description('remove a FAQ entry')
    .argument('<id>', 'FAQ entry id (see faq:list)')
    .action(async (rawId: string) => {
      const o = parse(z.object({ id }), { id: rawId }, ['id']);
      const removed = await prisma.$transaction(async (tx) => {
        const before = await tx.faqEntry.findUnique({ where: { id: o.id } });
        if (!before) throw new CliError(`<id>: no FAQ entry with id ${o.id}`);
        await tx.faqEntry.delete({ where: { id: o.id } });
        await renumber(tx);
        await recordAudit(tx, { actor: staffActor(), kind: 'faq.removed', subjectType: 'faq', subjectId: o.id, before: { questionNl: before.questionNl, answerNl: before.answerNl } });
        return before;
      });
      ctx.out(`faq ${removed.id} removed: ${removed.questionNl}`);
    });
}
