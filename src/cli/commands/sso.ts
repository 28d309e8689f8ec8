import type { Command } from 'commander';
import { z } from 'zod';
import { recordAudit } from '../../audit.js';
import { fullName } from '../../auth/actor.js';
import { endPortalLoginSessionsOf } from '../../auth/sessions.js';
import { CliError, id, parse, staffActor, type CliContext } from '../validate.js';

const provider = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => v === 'microsoft' || v === 'google', { error: (iss) => `unknown provider "${String(iss.input)}" (microsoft or google)` })
  .transform((v) => (v === 'microsoft' ? 'MICROSOFT' : 'GOOGLE'));
const onOff = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => v === 'on' || v === 'off', { error: (iss) => `must be on or off, not "${String(iss.input)}"` })
  .transform((v) => v === 'on');

const SsoList = z.object({ contact: id });
const SsoUnlink = z.object({ contact: id, provider });
const RequireSso = z.object({ id, state: onOff });

/** Registers `sso:list`, `sso:unlink` and `org:require-sso`. */
export function registerSsoCommands(program: Command, ctx: CliContext): void {
  const { prisma } = ctx;

  const findContact = async (contactId: number) => {
    const c = await prisma.contact.findFirst({
      where: { id: contactId, deletedAt: null },
      select: { id: true, organizationId: true, firstName: true, infix: true, lastName: true },
    });
    if (!c) throw new CliError(`--contact: no contact with id ${contactId}`);
    return c;
  };

  program
    .command('sso:list')
    .description("list a contact's linked Microsoft 365 / Google logins")
    .requiredOption('--contact <id>', 'id of the contact')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(SsoList, raw);
      const c = await findContact(o.contact);
      const links = await prisma.externalLogin.findMany({ where: { contactId: c.id }, orderBy: { createdAt: 'asc' } });
      if (!links.length) return ctx.out(`contact ${c.id} (${fullName(c.firstName, c.infix, c.lastName)}) has no linked logins`);
      for (const l of links) {
        ctx.out(
          [l.provider.toLowerCase(), l.subject, l.email ?? '-', `linked ${l.createdAt.toISOString()}`, `last used ${l.lastUsedAt?.toISOString() ?? 'never'}`].join('\t'),
        );
      }
    });

  program
    .command('sso:unlink')
    .description("remove a contact's Microsoft 365 or Google login (their next SSO login links again by e-mail)")
    .requiredOption('--contact <id>', 'id of the contact')
    .requiredOption('--provider <microsoft|google>', 'which login')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(SsoUnlink, raw);
      const c = await findContact(o.contact);
      const line = await prisma.$transaction(async (tx) => {
        const links = await tx.externalLogin.findMany({ where: { contactId: c.id, provider: o.provider } });
        if (!links.length) throw new CliError(`--provider: contact ${c.id} has no ${o.provider.toLowerCase()} login`);
        await tx.externalLogin.deleteMany({ where: { id: { in: links.map((l) => l.id) } } });
        for (const l of links) {
          await recordAudit(tx, {
            actor: staffActor(),
            kind: 'sso.unlinked',
            organizationId: c.organizationId,
            subjectType: 'external_login',
            subjectId: l.id,
            before: { contactId: c.id, provider: l.provider, subject: l.subject, email: l.email },
          });
        }
        return `unlinked ${o.provider.toLowerCase()} login of contact ${c.id} (${fullName(c.firstName, c.infix, c.lastName)})`;
      });
      ctx.out(line);
    });

  program
    .command('org:require-sso')
    .description('require Microsoft 365 / Google login for an organisation\'s people (on), or allow the password again (off)')
    .argument('<id>', 'id of the organisation')
    .argument('<on|off>', 'on or off')
    .action(async (rawId: string, rawState: string) => {
      const o = parse(RequireSso, { id: rawId, state: rawState }, ['id', 'state']);
      const line = await prisma.$transaction(async (tx) => {
        const org = await tx.organization.findUnique({ where: { id: o.id }, select: { id: true, name: true, ssoRequired: true } });
        if (!org) throw new CliError(`<id>: no organisation with id ${o.id}`);
        if (org.ssoRequired === o.state) return `organisation ${org.id} (${org.name}) already ${o.state ? 'requires' : 'does not require'} SSO`;
        await tx.organization.update({ where: { id: org.id }, data: { ssoRequired: o.state } });
        // The actor refuses these sessions anyway; ending them keeps them from coming back when
        // SSO is switched off again, and off every list of sessions.
        const ended = o.state ? await endPortalLoginSessionsOf(tx, org.id) : 0;
        await recordAudit(tx, {
          actor: staffActor(),
          kind: 'organization.sso_required_changed',
          organizationId: org.id,
          subjectType: 'organization',
          subjectId: org.id,
          before: { ssoRequired: org.ssoRequired },
          after: o.state ? { ssoRequired: o.state, passwordSessionsEnded: ended } : { ssoRequired: o.state },
        });
        return `organisation ${org.id} (${org.name}) ${o.state ? `now requires SSO; ${ended} password or passkey session(s) ended` : 'no longer requires SSO'}`;
      });
      ctx.out(line);
    });
}
