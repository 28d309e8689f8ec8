import type { Command } from 'commander';
import { z } from 'zod';
import { recordAudit } from '../../audit.js';
import { ROLES } from '../../auth/roles.js';
import { fullName } from '../../auth/actor.js';
import { queueInvitation } from '../../features/contacts/invitation.js';
import { CliError, collect, email, flag, id, isUniqueViolation, parse, phone, role, staffActor, text, type CliContext } from '../validate.js';

const ContactAdd = z.object({
  org: id,
  lastName: text(),
  firstName: text(100).optional(),
  initials: text(20).optional(),
  infix: text(40).optional(),
  gender: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['male', 'female', 'other'], 'must be male, female or other'))
    .optional(),
  email: email.optional(),
  phone: phone.optional(),
  mobile: phone.optional(),
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
      const roles = [...new Set(o.role)];
      const created = await prisma
        .$transaction(async (tx) => {
          const org = await tx.organization.findUnique({ where: { id: o.org }, select: { id: true, mainContactId: true } });
          if (!org) throw new CliError(`--org: no organisation with id ${o.org}`);
          if (o.email) {
            const holder = await tx.contact.findUnique({ where: { email: o.email }, select: { id: true } });
            if (holder) throw new CliError(`--email: already used by contact ${holder.id}`);
          }
          const data = {
            organizationId: org.id,
            lastName: o.lastName,
            firstName: o.firstName ?? null,
            initials: o.initials ?? null,
            infix: o.infix ?? null,
            gender: o.gender ? (o.gender.toUpperCase() as 'MALE' | 'FEMALE' | 'OTHER') : null,
            email: o.email ?? null,
            phone: o.phone ?? null,
            mobile: o.mobile ?? null,
            webAccess: o.webAccess,
          };
          const contact = await tx.contact.create({
            data: { ...data, roles: { create: roles.map((r) => ({ role: r })) } },
            select: { id: true, firstName: true, infix: true, lastName: true, email: true },
          });
          await recordAudit(tx, {
            actor: staffActor(),
            kind: 'contact.created',
            organizationId: org.id,
            subjectType: 'contact',
            subjectId: contact.id,
            after: { ...data, roles },
          });
          if (o.main) {
            await tx.organization.update({ where: { id: org.id }, data: { mainContactId: contact.id } });
            await recordAudit(tx, {
              actor: staffActor(),
              kind: 'organization.main_contact_set',
              organizationId: org.id,
              subjectType: 'organization',
              subjectId: org.id,
              before: { mainContactId: org.mainContactId },
              after: { mainContactId: contact.id },
            });
          }
          return contact;
        })
        .catch((e: unknown) => {
          if (isUniqueViolation(e)) throw new CliError('--email: already used by another contact');
          throw e;
        });
      const name = fullName(created.firstName, created.infix, created.lastName);
      ctx.out(
        `contact ${created.id} created: ${name}${created.email ? ` <${created.email}>` : ''} in organisation ${o.org}` +
          (o.main ? ' (main contact)' : ''),
      );
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
