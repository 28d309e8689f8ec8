import type { Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../../http/errors.js';
import { CliError, appCode, id, parse, staffActor, type CliDeps } from '../validate.js';

const Activation = z.object({ contact: id, app: appCode });

/** Registers `app:activate` and `app:deactivate`. */
export function registerApplicationsCommands(program: Command, ctx: CliDeps): void {
  const { services } = ctx;

  const activation = (name: 'app:activate' | 'app:deactivate') =>
    program
      .command(name)
      .description(
        name === 'app:activate'
          ? "activate an application tile on a contact's dashboard"
          : "remove an application tile from a contact's dashboard",
      )
      .requiredOption('--contact <id>', 'id of the contact')
      .requiredOption(
        '--app <CODE>',
        'application code, e.g. OPERATOR, WALLDISPLAY, RECORDER, SCHEDULER, REPORTER, PHARMA_REPEAT, REDIRECT',
      )
      .action(async (raw: Record<string, unknown>) => {
        const o = parse(Activation, raw);
        const activate = name === 'app:activate';
        const r = await services.contacts
          .setApplication(staffActor(), o.contact, o.app, activate)
          .catch((e: unknown) => {
            if (e instanceof AppError && e.detail)
              throw new CliError(`${e.field === 'app' ? '--app' : '--contact'}: ${e.detail}`);
            throw e;
          });
        const who = `contact ${r.contact.id} (${r.contact.name})`;
        if (!r.changed)
          ctx.out(
            activate
              ? `application ${r.code} already active for ${who}`
              : `application ${r.code} was not active for ${who}`,
          );
        else ctx.out(`application ${r.code} ${activate ? 'activated' : 'deactivated'} for ${who}`);
      });
  activation('app:activate');
  activation('app:deactivate');
}
