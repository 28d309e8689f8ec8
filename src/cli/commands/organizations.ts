import type { Command } from 'commander';
import { z } from 'zod';
import { ORGANIZATION_FIELDS } from '../../features/organisations/staff.js';
import { AppError } from '../../http/errors.js';
import { CliError, flag, id, parse, staffActor, type CliDeps } from '../validate.js';

const OrgAdd = z.object({ ...ORGANIZATION_FIELDS, parent: id.optional(), reports: flag });

const OrgList = z.object({ search: z.string().trim().max(200, 'must be at most 200 characters').optional() });

/** Registers `org:add` and `org:list`. */
export function registerOrganizationsCommands(program: Command, ctx: CliDeps): void {
  const { services } = ctx;

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
      const org = await services.organisations
        .create(staffActor(), { ...o, parentId: o.parent ?? null, reportsInContract: o.reports })
        .catch((e: unknown) => {
          if (e instanceof AppError && e.field === 'parentId') throw new CliError(`--parent: ${e.detail}`);
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
      const rows = await services.organisations.listForStaff(o.search);
      for (const r of rows) ctx.out([r.id, r.name, r.parentId ?? '', r.active ? 'yes' : 'no'].join('\t'));
    });
}
