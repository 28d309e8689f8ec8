import type { Command } from 'commander';
import { z } from 'zod';
import { createOrganization, ORGANIZATION_FIELDS, OrganizationRefusal } from '../../features/organisations/staff.js';
import { CliError, flag, id, parse, staffActor, type CliContext } from '../validate.js';

const OrgAdd = z.object({ ...ORGANIZATION_FIELDS, parent: id.optional(), reports: flag });

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
      const org = await createOrganization(prisma, { ...o, parentId: o.parent ?? null, reportsInContract: o.reports }, staffActor()).catch((e: unknown) => {
        if (e instanceof OrganizationRefusal) throw new CliError(`--parent: ${e.message}`);
        throw e;
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
