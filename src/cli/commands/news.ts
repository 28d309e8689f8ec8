import type { Command } from 'commander';
import { z } from 'zod';
import { recordAudit } from '../../audit.js';
import { CliError, dateTime, id, parse, staffActor, text, type CliContext } from '../validate.js';

const NewsAdd = z.object({
  kind: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['news', 'maintenance', 'outage'], 'must be news, maintenance or outage')),
  title: text(),
  body: text(5000),
  titleEn: text().optional(),
  bodyEn: text(5000).optional(),
  org: id.optional(),
  publish: dateTime.optional(),
  expires: dateTime.optional(),
});

/** Registers `news:add`. */
export function registerNewsCommands(program: Command, ctx: CliContext): void {
  const { prisma } = ctx;

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
      if (o.titleEn && !o.bodyEn) throw new CliError('--body-en: needed together with --title-en');
      if (o.bodyEn && !o.titleEn) throw new CliError('--title-en: needed together with --body-en');
      const publishedAt = o.publish ?? ctx.now();
      if (o.expires && o.expires.getTime() <= publishedAt.getTime()) {
        throw new CliError('--expires: must be later than the publication time');
      }
      const created = await prisma.$transaction(async (tx) => {
        if (o.org !== undefined && !(await tx.organization.findUnique({ where: { id: o.org }, select: { id: true } }))) {
          throw new CliError(`--org: no organisation with id ${o.org}`);
        }
        const data = {
          kind: o.kind.toUpperCase() as 'NEWS' | 'MAINTENANCE' | 'OUTAGE',
          organizationId: o.org ?? null,
          titleNl: o.title,
          bodyNl: o.body,
          titleEn: o.titleEn ?? null,
          bodyEn: o.bodyEn ?? null,
          publishedAt,
          expiresAt: o.expires ?? null,
        };
        const a = await tx.announcement.create({ data, select: { id: true, titleNl: true } });
        await recordAudit(tx, {
          actor: staffActor(),
          kind: 'announcement.created',
          organizationId: data.organizationId,
          subjectType: 'announcement',
          subjectId: a.id,
          after: { ...data, publishedAt: publishedAt.toISOString(), expiresAt: data.expiresAt?.toISOString() ?? null },
        });
        return a;
      });
      ctx.out(`announcement ${created.id} created: ${created.titleNl} (published ${publishedAt.toISOString()})`);
    });
}
