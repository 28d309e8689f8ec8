import type { Command } from 'commander';
import { z } from 'zod';
import { recordAudit } from '../../audit.js';
import { CliError, email, flag, id, parse, phone, staffActor, text, type CliContext } from '../validate.js';

const OrgAdd = z.object({
  name: text(),
  parent: id.optional(),
  street: text().optional(),
  postcode: text(20).optional(),
  city: text().optional(),
  country: text(100).optional(),
  phone: phone.optional(),
  fax: phone.optional(),
  email: email.optional(),
  reports: flag,
});

const OrgList = z.object({ search: z.string().trim().max(200, 'must be at most 200 characters').optional() });

/** Registers `org:add` and `org:list`. */
export function registerOrganizationsCommands(program: Command, ctx: CliContext): void {
  const { prisma } = ctx;

  program
    .command('org:add')
    .description('add an organisation (the address is used as both postal and visiting address)')
    .requiredOption('--name <name>', 'organisation name')
    .option('--parent <id>', 'id of the parent organisation (makes this a subsidiary)')
    .option('--street <street>', 'street and number')
    .option('--postcode <postcode>', 'postcode')
    .option('--city <city>', 'city')
    .option('--country <country>', 'country')
    .option('--phone <phone>', 'phone number')
    .option('--fax <fax>', 'fax number')
    .option('--email <email>', 'general e-mail address')
    .option('--reports', 'the contract includes reports')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(OrgAdd, raw);
      const org = await prisma.$transaction(async (tx) => {
        if (o.parent !== undefined && !(await tx.organization.findUnique({ where: { id: o.parent }, select: { id: true } }))) {
          throw new CliError(`--parent: no organisation with id ${o.parent}`);
        }
        const data = {
          name: o.name,
          parentId: o.parent ?? null,
          postalStreet: o.street ?? null,
          postalPostcode: o.postcode ?? null,
          postalCity: o.city ?? null,
          postalCountry: o.country ?? null,
          visitStreet: o.street ?? null,
          visitPostcode: o.postcode ?? null,
          visitCity: o.city ?? null,
          visitCountry: o.country ?? null,
          phone: o.phone ?? null,
          fax: o.fax ?? null,
          email: o.email ?? null,
          reportsInContract: o.reports,
        };
        const created = await tx.organization.create({ data, select: { id: true, name: true } });
        await recordAudit(tx, {
          actor: staffActor(),
          kind: 'organization.created',
          organizationId: created.id,
          subjectType: 'organization',
          subjectId: created.id,
          after: data,
        });
        return created;
      });
      ctx.out(`organisation ${org.id} created: ${org.name}`);
    });

  program
    .command('org:list')
    .description('list organisations, tab-separated: id, name, parent id, active (yes/no)')
    .option('--search <text>', 'only organisations whose name contains the text')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(OrgList, raw);
      const rows = await prisma.organization.findMany({
        where: o.search ? { name: { contains: o.search, mode: 'insensitive' } } : {},
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
        select: { id: true, name: true, parentId: true, active: true },
      });
      for (const r of rows) ctx.out([r.id, r.name, r.parentId ?? '', r.active ? 'yes' : 'no'].join('\t'));
    });
}
