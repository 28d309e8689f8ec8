import type { Command } from 'commander';
import { z } from 'zod';
import { ORGANIZATION_FIELDS } from '../../features/organisations/staff.js';
import { AppError } from '../../http/errors.js';
import { CliError, flag, id, parse, staffActor, type CliDeps } from '../validate.js';

const OrgAdd = z.object({ ...ORGANIZATION_FIELDS, parent: id.optional(), reports: flag });

/** An empty value clears a field ("--oin ''"). */
const clearable = <T extends z.ZodType>(f: T) => z.union([z.literal('').transform(() => null), f]).optional();
const OrgEinvoicing = z.object({
  kvkNumber: clearable(ORGANIZATION_FIELDS.kvkNumber.unwrap()),
  oin: clearable(ORGANIZATION_FIELDS.oin.unwrap()),
  peppolId: clearable(ORGANIZATION_FIELDS.peppolId.unwrap()),
  einvoiceFormat: ORGANIZATION_FIELDS.einvoiceFormat,
});

const OrgList = z.object({ search: z.string().trim().max(200, 'must be at most 200 characters').optional() });

/** Registers `org:add`, `org:einvoicing` and `org:list`. */
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
    .option('--kvk-number <number>', 'Chamber of Commerce (KvK) number, 8 digits')
    .option('--oin <number>', 'government identification number (OIN, 20 digits) of a public body')
    .option('--peppol-id <id>', 'Peppol participant id (e-invoicing address), e.g. 0106:12345678')
    .option('--einvoice-format <format>', 'peppol (default) or nlcius (Dutch government; needs the KvK number or OIN)')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(OrgAdd, raw);
      const org = await services.organisations
        .create(staffActor(), { ...o, parentId: o.parent ?? null, reportsInContract: o.reports })
        .catch((e: unknown) => {
          if (e instanceof AppError && e.field === 'parentId') throw new CliError(`--parent: ${e.detail}`);
          if (e instanceof AppError && e.field === 'einvoiceFormat')
            throw new CliError(`--einvoice-format: ${e.detail}`);
          throw e;
        });
      ctx.out(`organisation ${org.id} created: ${org.name}`);
    });

  program
    .command('org:einvoicing')
    .description("set an organisation's e-invoicing data (an empty value clears it): the buyer on its e-invoices")
    .argument('<id>', 'organisation id')
    .option('--kvk-number <number>', 'Chamber of Commerce (KvK) number, 8 digits')
    .option('--oin <number>', 'government identification number (OIN, 20 digits) of a public body')
    .option('--peppol-id <id>', 'Peppol participant id (e-invoicing address), e.g. 0106:12345678')
    .option('--einvoice-format <format>', 'peppol or nlcius (Dutch government; needs the KvK number or OIN)')
    .action(async (rawId: string, raw: Record<string, unknown>) => {
      const orgId = parse(z.object({ id }), { id: rawId }).id;
      const o = parse(OrgEinvoicing, raw);
      const option = {
        kvkNumber: '--kvk-number',
        oin: '--oin',
        peppolId: '--peppol-id',
        einvoiceFormat: '--einvoice-format',
      };
      await services.organisations.update(staffActor(), orgId, o).catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'NOT_FOUND')
          throw new CliError(`<id>: no organisation with id ${orgId}`);
        if (e instanceof AppError && e.field && e.field in option)
          throw new CliError(`${option[e.field as keyof typeof option]}: ${e.detail}`);
        throw e;
      });
      const org = await services.organisations.getForApi(orgId);
      ctx.out(
        `organisation ${org.id} e-invoicing: KvK ${org.kvkNumber ?? '-'}, OIN ${org.oin ?? '-'}, Peppol id ${org.peppolId ?? '-'}, format ${org.einvoiceNlcius ? 'nlcius' : 'peppol'}`,
      );
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
