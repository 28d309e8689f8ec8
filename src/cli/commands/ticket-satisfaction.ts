import type { Command } from 'commander';
import { z } from 'zod';
import { parse, type CliDeps } from '../validate.js';

/** A day "YYYY-MM-DD" as the start of that day in Amsterdam. */
const day = z.string().transform((v, ctx) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim());
  const d = m ? new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`) : null;
  if (!d || Number.isNaN(d.getTime()) || d.getUTCDate() !== Number(m![3])) {
    ctx.addIssue({ code: 'custom', message: `not a date (YYYY-MM-DD): "${v}"` });
    return z.NEVER;
  }
  // Amsterdam midnight: the offset of that day (CET +1, CEST +2).
  const offset = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', timeZoneName: 'shortOffset' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+1';
  const hours = Number(/GMT([+-]\d+)/.exec(offset)?.[1] ?? 1);
  return new Date(d.getTime() - hours * 3_600_000);
});

/** Registers `ticket:satisfaction`: the verdicts' averages per month and helpdesk. */
export function registerTicketSatisfactionCommand(program: Command, ctx: CliDeps): void {
  program
    .command('ticket:satisfaction')
    .description('satisfaction answers per month (Amsterdam) and helpdesk, tab-separated: month, helpdesk, answers, average (1-5)')
    .option('--from <date>', 'answers from this day (YYYY-MM-DD, inclusive)')
    .option('--to <date>', 'answers up to this day (YYYY-MM-DD, inclusive)')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(z.object({ from: day.optional(), to: day.optional() }), raw);
      const to = o.to ? new Date(o.to.getTime() + 86_400_000) : undefined;
      const rows = await ctx.services.tickets.satisfaction(o.from, to);
      if (!rows.length) return ctx.out('no answers in this period');
      for (const r of rows) ctx.out([r.month, r.helpdesk, r.answers, r.average.toFixed(2)].join('\t'));
    });
}
