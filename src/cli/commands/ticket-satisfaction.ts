import type { Command } from 'commander';
import { z } from 'zod';
import { parse, type CliDeps } from '../validate.js';
import { dayEnd, dayStart, isDay } from '../../calendar.js';

/** A day "YYYY-MM-DD" (a day in Amsterdam). */
const day = z.string().transform((v, ctx) => {
  const d = v.trim();
  if (!isDay(d)) {
    ctx.addIssue({ code: 'custom', message: `not a date (YYYY-MM-DD): "${v}"` });
    return z.NEVER;
  }
  return d;
});

/** Registers `ticket:satisfaction`: the verdicts' averages per month and helpdesk. */
export function registerTicketSatisfactionCommand(program: Command, ctx: CliDeps): void {
  program
    .command('ticket:satisfaction')
    .description(
      'satisfaction answers per month (Amsterdam) and helpdesk, tab-separated: month, helpdesk, answers, average (1-5)',
    )
    .option('--from <date>', 'answers from this day (YYYY-MM-DD, inclusive)')
    .option('--to <date>', 'answers up to this day (YYYY-MM-DD, inclusive)')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(z.object({ from: day.optional(), to: day.optional() }), raw);
      const rows = await ctx.services.tickets.satisfaction(
        o.from ? dayStart(o.from) : undefined,
        o.to ? dayEnd(o.to) : undefined,
      );
      if (!rows.length) return ctx.out('no answers in this period');
      for (const r of rows) ctx.out([r.month, r.helpdesk, r.answers, r.average.toFixed(2)].join('\t'));
    });
}
