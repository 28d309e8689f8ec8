import type { Command } from 'commander';
import { z } from 'zod';
import { ROLES } from '../../auth/roles.js';
import { fullName } from '../../auth/actor.js';
import type { LoginBlocker } from '../../auth/web-access.js';
import { CONTACT_FIELDS } from '../../features/contacts/staff.js';
import { AppError } from '../../http/errors.js';
import { CliError, collect, flag, id, parse, role, staffActor, type CliDeps } from '../validate.js';

const ContactAdd = z.object({
  ...CONTACT_FIELDS,
  org: id,
  gender: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['male', 'female', 'other'], 'must be male, female or other'))
    .optional(),
  main: flag,
  webAccess: flag,
  language: z.enum(['nl', 'en'], 'must be nl or en').default('nl'),
  role: z.array(role).default([]),
});

/** Why an invitation was not sent, for the staff tool's one-line error. */
const BLOCKER_TEXT: Record<LoginBlocker, string> = {
  deleted: 'is deleted',
  inactive: 'is not active',
  organizationInactive: 'belongs to an inactive organisation',
  noEmail: 'has no e-mail address',
  noWebAccess: 'has no web access',
  noPortalRole: 'lacks the role PORTAL_ACCESS (nobody could log in with the link)',
};

/** Registers `contact:add` and `contact:invite`. */
export function registerContactsCommands(program: Command, ctx: CliDeps): void {
  const { services } = ctx;

  program
    .command('contact:add')
    .description('add a contact (person) to an organisation')
    .requiredOption('--org <id>', 'id of the organisation')
    .requiredOption('--last-name <name>', 'last name')
    .option('--first-name <name>', 'first name')
    .option('--initials <initials>', 'initials')
    .option('--infix <infix>', 'infix (tussenvoegsel), e.g. "de"')
    .option('--gender <gender>', 'male, female or other')
    .option('--email <email>', 'personal e-mail address (also the username)')
    .option('--phone <phone>', 'phone number')
    .option('--mobile <mobile>', 'mobile number')
    .option('--main', "make this person the organisation's main contact (holds every role)")
    .option(
      '--web-access',
      'give web access (needs --email); also gives the basic roles PORTAL_ACCESS and MANAGE_PERSONAL_DATA',
    )
    .option('--language <lang>', 'language of the mails the person receives: nl (default) or en')
    .option('--role <ROLE>', `a role to grant, repeatable; one of ${ROLES.join(', ')}`, collect, [] as string[])
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(ContactAdd, raw);
      if (o.webAccess && !o.email)
        throw new CliError('--web-access: needs --email (the e-mail address is the username)');
      const { org, role, gender, ...rest } = o;
      const created = await services.contacts
        .add(staffActor(), {
          ...rest,
          organizationId: org,
          gender: gender ? (gender.toUpperCase() as 'MALE' | 'FEMALE' | 'OTHER') : undefined,
          roles: role,
        })
        .catch((e: unknown) => {
          // The organisation is the option --org.
          if (e instanceof AppError && e.field === 'organizationId') throw new CliError(`--org: ${e.detail}`);
          throw e;
        });
      const name = fullName(o.firstName, o.infix, o.lastName);
      ctx.out(
        `contact ${created.id} created: ${name}${o.email ? ` <${o.email}>` : ''} in organisation ${o.org}` +
          (o.main ? ' (main contact)' : ''),
      );
    });

  program
    .command('contact:invite')
    .description(
      'mail a contact a link (valid 72 hours) to set their password, in their language; only to someone who may log in (active, e-mail address, web access, PORTAL_ACCESS); an older link stops working',
    )
    .argument('<contactId>', 'id of the contact')
    .action(async (contactIdRaw: string) => {
      const { contactId } = parse(z.object({ contactId: id }), { contactId: contactIdRaw }, ['contactId']);
      const result = await services.contacts.invite(staffActor(), contactId).catch((e: unknown) => {
        if (e instanceof AppError && e.field === 'contactId') throw new CliError(`<contactId>: ${e.detail}`);
        throw e;
      });
      if (!result.sent)
        throw new CliError(`<contactId>: contact ${contactId} ${BLOCKER_TEXT[result.blocker]}; no invitation sent`);
      ctx.out(`invitation queued for ${result.email}`);
    });
}
