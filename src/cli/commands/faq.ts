import type { Command } from 'commander';
import { z } from 'zod';
import { FAQ_FIELDS } from '../../features/support/faq-staff.js';
import { AppError } from '../../http/errors.js';
import { CliError, id, parse, staffActor, type CliDeps } from '../validate.js';

const position = z
  .string()
  .trim()
  .regex(/^[1-9]\d{0,3}$/, 'must be a position from 1')
  .transform(Number)
  .pipe(FAQ_FIELDS.position);
const FaqAdd = z.object({
  question: FAQ_FIELDS.questionNl,
  answer: FAQ_FIELDS.answerNl,
  questionEn: FAQ_FIELDS.questionEn.optional(),
  answerEn: FAQ_FIELDS.answerEn.optional(),
  position: position.optional(),
});
const FaqEdit = FaqAdd.partial().extend({ id });

const OPTION = {
  questionNl: '--question',
  answerNl: '--answer',
  questionEn: '--question-en',
  answerEn: '--answer-en',
  position: '--position',
  id: '<id>',
} as Record<string, string>;

/** The service's refusal as the one-line error naming the option. */
const asCli = (e: unknown): never => {
  if (!(e instanceof AppError) || !e.field) throw e;
  const flag = OPTION[e.field] ?? e.field;
  throw new CliError(
    e.info.partner ? `${flag}: needed together with ${OPTION[e.info.partner]}` : `${flag}: ${e.detail}`,
  );
};

/** Registers `faq:list`, `faq:add`, `faq:edit` and `faq:remove` (answers are Markdown). */
export function registerFaqCommands(program: Command, ctx: CliDeps): void {
  const { faq } = ctx.services;

  program
    .command('faq:list')
    .description('list the FAQ, tab-separated: id, position, question')
    .action(async () => {
      const rows = await faq.listAll();
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
      const entry = await faq
        .add(staffActor(), {
          questionNl: o.question,
          answerNl: o.answer,
          questionEn: o.questionEn ?? null,
          answerEn: o.answerEn ?? null,
          position: o.position,
        })
        .catch(asCli);
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
      if (Object.keys(raw).length === 0)
        throw new CliError(
          '--question: give at least one of --question, --answer, --question-en, --answer-en, --position',
        );
      const entry = await faq
        .update(staffActor(), o.id, {
          questionNl: o.question,
          answerNl: o.answer,
          questionEn: o.questionEn,
          answerEn: o.answerEn,
          position: o.position,
        })
        .catch(asCli);
      ctx.out(`faq ${entry.id} updated (position ${entry.position}): ${entry.questionNl}`);
    });

  program
    .command('faq:remove')
    .description('remove a FAQ entry')
    .argument('<id>', 'FAQ entry id (see faq:list)')
    .action(async (rawId: string) => {
      const o = parse(z.object({ id }), { id: rawId }, ['id']);
      const removed = await faq.remove(staffActor(), o.id).catch(asCli);
      ctx.out(`faq ${removed.id} removed: ${removed.questionNl}`);
    });
}
