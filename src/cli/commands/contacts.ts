import type { Command } from 'commander';
import { z } from 'zod';
import { recordAudit } from '../../audit.js';
import { ROLES } from '../../auth/roles.js';
import { fullName } from '../../auth/actor.js';
import { basicRolesFor, type LoginBlocker } from '../../auth/web-access.js';
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
  language: z.enum(['nl', 'en'], 'must be nl or en').default('nl'),
  role: z.array(role).default([]),
});

/** Why an invitation was not sent, for the staff tool's one-line error. */
const BLOCKER_TEXT: Record<LoginBlocker, string> = {
  deleted: 'is deleted',
  inactive: 'is not active',
  organizationInactive: "belongs to an inactive organisation",
  noEmail: 'has no e-mail address',
  noWebAccess: 'has no web access',
  noPortalRole: 'lacks the role PORTAL_ACCESS (nobody could log in with the link)',
};

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
    .option('--web-access', 'give web access (needs --email); also gives the basic roles PORTAL_ACCESS and MANAGE_PERSONAL_DATA')
    .option('--language <lang>', 'language of the mails the person receives: nl (default) or en')
    .option('--role <ROLE>', `a role to grant, repeatable; one of ${ROLES.join(', ')}`, collect, [] as string[])
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(ContactAdd, raw);
      if (o.webAccess && !o.email) throw new CliError('--web-access: needs --email (the e-mail address is the username)');
      // Web access means the person can log in: the basic roles come with it (src/auth/web-access.ts).
      const roles = [...new Set([...o.role, ...(o.webAccess ? basicRolesFor('staff', null) : [])])];
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
            language: o.language,
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
    .description('mail a contact a link (valid 72 hours) to set their password, in their language; only to someone who may log in (active, e-mail address, web access, PORTAL_ACCESS); an older link stops working')
    .argument('<contactId>', 'id of the contact')
    .action(async (contactIdRaw: string) => {
      const { contactId } = parse(z.object({ contactId: id }), { contactId: contactIdRaw }, ['contactId']);
      const to = await prisma.$transaction(async (tx) => {
        const result = await queueInvitation(tx, contactId, { now: ctx.now(), baseUrl: ctx.baseUrl, actor: staffActor() });
        if (!result.sent) {
          const exists = await tx.contact.findFirst({ where: { id: contactId, deletedAt: null }, select: { id: true } });
          if (!exists) throw new CliError(`<contactId>: no contact with id ${contactId}`);
          throw new CliError(`<contactId>: contact ${contactId} ${BLOCKER_TEXT[result.blocker]}; no invitation sent`);
        }
        return result.email;
      });
      ctx.out(`invitation queued for ${to}`);
    });
}
