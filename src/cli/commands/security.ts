import type { Command } from 'commander';
import { z } from 'zod';
import { id, parse, staffActor, type CliDeps } from '../validate.js';

const onOff = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => v === 'on' || v === 'off', { error: (iss) => `must be on or off, not "${String(iss.input)}"` })
  .transform((v) => v === 'on');
const Require2fa = z.object({ id, state: onOff });

/** Registers `org:require-2fa`. */
export function registerSecurityCommands(program: Command, ctx: CliDeps): void {
  const { services } = ctx;
  program
    .command('org:require-2fa')
    .description(
      "require two-step login for an organisation's people and its subsidiaries' (on), or leave it to each person (off)",
    )
    .argument('<id>', 'id of the organisation')
    .argument('<on|off>', 'on or off')
    .option(
      '--end-sessions',
      'with on: also log out everyone of the organisation and its subsidiaries who logged in with a password and no second step',
    )
    .action(async (rawId: string, rawState: string, flags: { endSessions?: boolean }) => {
      const o = parse(Require2fa, { id: rawId, state: rawState }, ['id', 'state']);
      // An unknown organisation is refused naming the `<id>` argument, --end-sessions with off
      // naming that option (refusalLine).
      const r = await services.organisations.setSettings(
        staffActor(),
        o.id,
        { twoFactorRequired: o.state },
        flags.endSessions ? { endPasswordOnlySessions: { keepSid: null } } : {},
      );
      const org = `organisation ${r.org.id} (${r.org.name})`;
      if (!r.changed.includes('twoFactorRequired'))
        ctx.out(`${org} already ${o.state ? 'requires' : 'does not require'} two-step login`);
      else
        ctx.out(
          `${org} ${o.state ? 'now requires' : 'no longer requires'} two-step login (subsidiaries included); people without it set it up at their next login`,
        );
      if (r.passwordOnlySessionsEnded !== null)
        ctx.out(`${r.passwordOnlySessionsEnded} session(s) that logged in without a second step ended`);
    });
}
