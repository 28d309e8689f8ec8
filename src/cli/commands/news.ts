import type { Command } from 'commander';
import { z } from 'zod';
import { ANNOUNCEMENT_FIELDS } from '../../features/dashboard/announcements-staff.js';
import { AppError } from '../../http/errors.js';
import { CliError, dateTime, id, parse, staffActor, type CliDeps } from '../validate.js';

const NewsAdd = z.object({
  kind: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['news', 'maintenance', 'outage'], 'must be news, maintenance or outage'))
    .transform((k) => k.toUpperCase() as 'NEWS' | 'MAINTENANCE' | 'OUTAGE'),
  title: ANNOUNCEMENT_FIELDS.titleNl,
  body: ANNOUNCEMENT_FIELDS.bodyNl,
  titleEn: ANNOUNCEMENT_FIELDS.titleEn.optional(),
  bodyEn: ANNOUNCEMENT_FIELDS.bodyEn.optional(),
  org: id.optional(),
  publish: dateTime.optional(),
  expires: dateTime.optional(),
});

const OPTION: Record<string, string> = {
  kind: '--kind',
  titleNl: '--title',
  bodyNl: '--body',
  titleEn: '--title-en',
  bodyEn: '--body-en',
  organizationId: '--org',
  publishedAt: '--publish',
  expiresAt: '--expires',
};

/** The service's refusal as the one-line error naming the option. */
const asCli = (e: unknown): never => {
  if (!(e instanceof AppError) || !e.field) throw e;
  const flag = OPTION[e.field] ?? e.field;
  throw new CliError(
    e.info.partner ? `${flag}: needed together with ${OPTION[e.info.partner]}` : `${flag}: ${e.detail}`,
  );
};

/** Registers `news:add`. */
export function registerNewsCommands(program: Command, ctx: CliDeps): void {
  program
    .command('news:add')
    .description('add an announcement to the dashboard (for everyone, or for one organisation and its subsidiaries)')
    .requiredOption('--kind <kind>', 'news, maintenance or outage')
    .requiredOption('--title <title>', 'title (Dutch)')
    .requiredOption('--body <text>', 'text (Dutch)')
    .option('--title-en <title>', 'title (English)')
    .option('--body-en <text>', 'text (English)')
    .option('--org <id>', 'only for this organisation')
    .option('--publish <datetime>', 'publication time, ISO 8601; without offset Amsterdam time (default: now)')
    .option('--expires <datetime>', 'time the announcement disappears, ISO 8601; without offset Amsterdam time')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(NewsAdd, raw);
      const publishedAt = o.publish ?? ctx.now();
      const created = await ctx.services.announcements
        .add(staffActor(), {
          kind: o.kind,
          organizationId: o.org ?? null,
          titleNl: o.title,
          bodyNl: o.body,
          titleEn: o.titleEn ?? null,
          bodyEn: o.bodyEn ?? null,
          publishedAt,
          expiresAt: o.expires ?? null,
        })
        .catch(asCli);
      ctx.out(`announcement ${created.id} created: ${created.titleNl} (published ${publishedAt.toISOString()})`);
    });
}
