import type { Command } from 'commander';
import { z } from 'zod';
import { recordAudit } from '../../audit.js';
import { id, parse, staffActor, CliError, type CliContext } from '../validate.js';

const onOff = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => v === 'on' || v === 'off', { error: (iss) => `must be on or off, not "${String(iss.input)}"` })
  .transform((v) => v === 'on');
const Require2fa = z.object({ id, state: onOff });

/** Registers `org:require-2fa`. */
export function registerSecurityCommands(program: Command, ctx: CliContext): void {
  const { prisma } = ctx;
  program
    .command('org:require-2fa')
    .description("require two-step login for an organisation's people and its subsidiaries' (on), or leave it to each person (off)")
    .argument('<id>', 'id of the organisation')
    .argument('<on|off>', 'on or off')
    .action(async (rawId: string, rawState: string) => {
      const o = parse(Require2fa, { id: rawId, state: rawState }, ['id', 'state']);
      const line = await prisma.$transaction(async (tx) => {
        const org = await tx.organization.findUnique({ where: { id: o.id }, select: { id: true, name: true, twoFactorRequired: true } });
        if (!org) throw new CliError(`<id>: no organisation with id ${o.id}`);
        if (org.twoFactorRequired === o.state) return `organisation ${org.id} (${org.name}) already ${o.state ? 'requires' : 'does not require'} two-step login`;
        await tx.organization.update({ where: { id: org.id }, data: { twoFactorRequired: o.state } });
        await recordAudit(tx, {
          actor: staffActor(),
          kind: 'organization.two_factor_required_changed',
          organizationId: org.id,
          subjectType: 'organization',
          subjectId: org.id,
          before: { twoFactorRequired: org.twoFactorRequired },
          after: { twoFactorRequired: o.state },
        });
        return `organisation ${org.id} (${org.name}) ${o.state ? 'now requires' : 'no longer requires'} two-step login (subsidiaries included); people without it set it up at their next login`;
      });
      ctx.out(line);
    });
}
