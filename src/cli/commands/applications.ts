import type { Command } from 'commander';
import { z } from 'zod';
import { recordAudit } from '../../audit.js';
import { fullName } from '../../auth/actor.js';
import { CliError, appCode, id, parse, staffActor, type CliContext } from '../validate.js';

const Activation = z.object({ contact: id, app: appCode });

/** Registers `app:activate` and `app:deactivate`. */
export function registerApplicationsCommands(program: Command, ctx: CliContext): void {
  const { prisma } = ctx;

  const activation = (name: 'app:activate' | 'app:deactivate') =>
    program
      .command(name)
      .description(
        name === 'app:activate'
          ? "activate an application tile on a contact's dashboard"
          : "remove an application tile from a contact's dashboard",
      )
      .requiredOption('--contact <id>', 'id of the contact')
      .requiredOption('--app <CODE>', 'application code, e.g. OPERATOR, WALLDISPLAY, RECORDER, SCHEDULER, REPORTER, PHARMA_REPEAT, REDIRECT')
      .action(async (raw: Record<string, unknown>) => {
        const o = parse(Activation, raw);
        const line = await prisma.$transaction(async (tx) => {
          const contact = await tx.contact.findFirst({
            where: { id: o.contact, deletedAt: null },
            select: { id: true, organizationId: true, firstName: true, infix: true, lastName: true },
          });
          if (!contact) throw new CliError(`--contact: no contact with id ${o.contact}`);
          const app = await tx.application.findUnique({ where: { code: o.app }, select: { id: true, code: true } });
          if (!app) {
            const known = (await tx.application.findMany({ orderBy: { position: 'asc' }, select: { code: true } })).map((a) => a.code);
            throw new CliError(`--app: no application with code ${o.app}${known.length ? ` (one of ${known.join(', ')})` : ''}`);
          }
          const who = `contact ${contact.id} (${fullName(contact.firstName, contact.infix, contact.lastName)})`;
          const key = { contactId_applicationId: { contactId: contact.id, applicationId: app.id } };
          const active = await tx.applicationActivation.findUnique({ where: key, select: { contactId: true } });
          if (name === 'app:activate') {
            if (active) return `application ${app.code} already active for ${who}`;
            await tx.applicationActivation.create({ data: { contactId: contact.id, applicationId: app.id } });
          } else {
            if (!active) return `application ${app.code} was not active for ${who}`;
            await tx.applicationActivation.delete({ where: key });
          }
          const activated = name === 'app:activate';
          await recordAudit(tx, {
            actor: staffActor(),
            kind: activated ? 'application.activated' : 'application.deactivated',
            organizationId: contact.organizationId,
            subjectType: 'contact',
            subjectId: contact.id,
            before: { application: app.code, active: !activated },
            after: { application: app.code, active: activated },
          });
          return `application ${app.code} ${activated ? 'activated' : 'deactivated'} for ${who}`;
        });
        ctx.out(line);
      });
  activation('app:activate');
  activation('app:deactivate');
}
