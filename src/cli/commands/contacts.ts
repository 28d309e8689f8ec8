import type { Command } from 'commander';
import { z } from 'zod';
import { ROLES } from '../../auth/roles.js';
import { fullName } from '../../auth/actor.js';
import { queueInvitation } from '../../features/contacts/invitation.js';
import { addContact, CONTACT_FIELDS, ContactRefusal } from '../../features/contacts/staff.js';
import { CliError, collect, flag, id, parse, role, staffActor, type CliContext } from '../validate.js';

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
  role: z.array(role).default([]),
});

/** Registers `contact:add` and `contact:invite`. */
export function registerContactsCommands(program: Command, ctx: CliContext): void {
  const { prisma } = ctx;

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
    .option('--web-access', 'give web access (needs --email)')
    .option('--role <ROLE>', `a role to grant, repeatable; one of ${ROLES.join(', ')}`, collect, [] as string[])
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(ContactAdd, raw);
      if (o.webAccess && !o.email) throw new CliError('--web-access: needs --email (the e-mail address is the username)');
      const { org, role, gender, ...rest } = o;
      const created = await addContact(prisma, { ...rest, organizationId: org, gender: gender ? (gender.toUpperCase() as 'MALE' | 'FEMALE' | 'OTHER') : undefined, roles: role }, staffActor()).catch((e: unknown) => {
        if (e instanceof ContactRefusal) throw new CliError(`${e.field === 'organizationId' ? '--org' : e.field === 'webAccess' ? '--web-access' : '--email'}: ${e.message}`);
        throw e;
      });
      const name = fullName(o.firstName, o.infix, o.lastName);
      ctx.out(`contact ${created.id} created: ${name}${o.email ? ` <${o.email}>` : ''} in organisation ${o.org}` + (o.main ? ' (main contact)' : ''));
    });

  program
    .command('contact:invite')
    .description('mail a contact a link (valid 72 hours) to set their password; needs web access and an e-mail address')
    .argument('<contactId>', 'id of the contact')
    .action(async (contactIdRaw: string) => {
      const { contactId } = parse(z.object({ contactId: id }), { contactId: contactIdRaw }, ['contactId']);
      const to = await prisma.$transaction(async (tx) => {
        const c = await tx.contact.findFirst({
          where: { id: contactId, deletedAt: null },
          select: { id: true, organizationId: true, firstName: true, infix: true, lastName: true, email: true, webAccess: true },
        });
        if (!c) throw new CliError(`<contactId>: no contact with id ${contactId}`);
        if (!c.email) throw new CliError(`<contactId>: contact ${c.id} has no e-mail address`);
        if (!c.webAccess) throw new CliError(`<contactId>: contact ${c.id} has no web access`);
        await queueInvitation(tx, { ...c, email: c.email }, { now: ctx.now(), baseUrl: ctx.baseUrl, lang: 'nl', actor: staffActor() });
        return c.email;
      });
      ctx.out(`invitation queued for ${to}`);
    });
}
