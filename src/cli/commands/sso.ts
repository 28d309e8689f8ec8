import type { Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../../http/errors.js';
import { CliError, id, parse, staffActor, type CliDeps } from '../validate.js';

const provider = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => v === 'microsoft' || v === 'google', {
    error: (iss) => `unknown provider "${String(iss.input)}" (microsoft or google)`,
  })
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
export function registerSsoCommands(program: Command, ctx: CliDeps): void {
  const { services } = ctx;

  program
    .command('sso:list')
    .description("list a contact's linked Microsoft 365 / Google logins")
    .requiredOption('--contact <id>', 'id of the contact')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(SsoList, raw);
      const { contact: c, links } = await services.sso.linkedLoginsOf(o.contact);
      if (!links.length) return ctx.out(`contact ${c.id} (${c.name}) has no linked logins`);
      for (const l of links) {
        ctx.out(
          [
            l.provider.toLowerCase(),
            l.subject,
            l.email ?? '-',
            `linked ${l.createdAt.toISOString()}`,
            `last used ${l.lastUsedAt?.toISOString() ?? 'never'}`,
          ].join('\t'),
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
      const c = await services.sso.unlink(staffActor(), o.contact, o.provider);
      ctx.out(`unlinked ${o.provider.toLowerCase()} login of contact ${c.id} (${c.name})`);
    });

  program
    .command('org:require-sso')
    .description(
      "require Microsoft 365 / Google login for an organisation's people (on), or allow the password again (off)",
    )
    .argument('<id>', 'id of the organisation')
    .argument('<on|off>', 'on or off')
    .action(async (rawId: string, rawState: string) => {
      const o = parse(RequireSso, { id: rawId, state: rawState }, ['id', 'state']);
      const r = await services.organisations
        .setSettings(staffActor(), o.id, { ssoRequired: o.state })
        .catch(orgArgument);
      const org = `organisation ${r.org.id} (${r.org.name})`;
      if (!r.changed.includes('ssoRequired'))
        ctx.out(`${org} already ${o.state ? 'requires' : 'does not require'} SSO`);
      else
        ctx.out(
          `${org} ${o.state ? `now requires SSO; ${r.passwordSessionsEnded} password or passkey session(s) ended` : 'no longer requires SSO'}`,
        );
    });
}

/** An unknown organisation is the `<id>` argument's fault. */
function orgArgument(e: unknown): never {
  if (e instanceof AppError && e.code === 'NOT_FOUND' && e.field === 'id') throw new CliError(`<id>: ${e.detail}`);
  throw e;
}
