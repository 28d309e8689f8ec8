import { Command } from 'commander';
import { runCommand, type CliContext, type CliDeps } from './validate.js';
import { loadConfig } from '../config.js';
import { createServices, type Services } from '../services.js';
import { createStorage } from '../storage/index.js';
import { hasForbiddenChars, printable } from '../http/text.js';
import { registerSeedCommands } from './commands/seed.js';
import { registerOrganizationsCommands } from './commands/organizations.js';
import { registerContactsCommands } from './commands/contacts.js';
import { registerApplicationsCommands } from './commands/applications.js';
import { registerNewsCommands } from './commands/news.js';
import { registerSsoCommands } from './commands/sso.js';
import { registerSecurityCommands } from './commands/security.js';
import { registerInvoicesCommands } from './commands/invoices.js';
import { registerDocumentsCommands } from './commands/documents.js';
import { registerTicketsCommands } from './commands/tickets.js';
import { registerTicketSatisfactionCommand } from './commands/ticket-satisfaction.js';
import { registerFaqCommands } from './commands/faq.js';
import { registerIntegrationCommands } from './commands/integration.js';
import { registerMailCommands } from './commands/mail.js';

export { CliError, type CliContext } from './validate.js';

function emitLines(write: (line: string) => void, chunk: string): void {
  for (const line of chunk.replace(/\n$/, '').split('\n')) write(line);
}

/** The staff tool's commands, wired to `ctx`; commander never exits the process (exitOverride). */
export function buildProgram(ctx: CliDeps): Command {
  const program = new Command('pim');
  program
    .description('PIM staff tool: feed the customer portal with organisations, contacts, applications and news.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => emitLines(ctx.out, s),
      writeErr: (s) => emitLines(ctx.err, s),
      outputError: (s, write) => write(s),
    });

  // One line per area; commands are listed in --help in this order.
  registerSeedCommands(program, ctx);
  registerOrganizationsCommands(program, ctx);
  registerContactsCommands(program, ctx);
  registerApplicationsCommands(program, ctx);
  registerNewsCommands(program, ctx);
  registerSsoCommands(program, ctx);
  registerSecurityCommands(program, ctx);
  registerInvoicesCommands(program, ctx);
  registerDocumentsCommands(program, ctx);
  registerTicketsCommands(program, ctx);
  registerTicketSatisfactionCommand(program, ctx);
  registerFaqCommands(program, ctx);
  registerIntegrationCommands(program, ctx);
  registerMailCommands(program, ctx);

  return program;
}

/**
 * The domain for the staff tool: its clock, its base URL for links in mails, attachments in PostgreSQL unless given.
 */
function servicesFor(ctx: CliContext): Services {
  // The entry point passes the environment's configuration. A caller without one (a test) reads the
  // environment as the commands did before the services (NODE_ENV, the mail-link key, the helpdesk),
  // with its own base URL (vitest's process.env carries BASE_URL=/); `--help` (no database) needs none.
  const config = ctx.config ?? loadConfig(ctx.prisma ? { ...process.env, BASE_URL: ctx.baseUrl } : {});
  // `--help` runs without a database: the domain is then never called.
  const storage = ctx.storage ?? (ctx.prisma ? createStorage(config.tickets.s3, ctx.prisma) : undefined);
  return createServices({ db: ctx.prisma, clock: { now: ctx.now }, storage: storage!, config, baseUrl: ctx.baseUrl });
}

/** Runs one command line (without the node and script names); returns the exit code. */
export async function runCli(argv: string[], given: CliContext): Promise<number> {
  // Stored text (ticket titles, names) may predate the edge rule: it never drives the terminal.
  const out = (l: string) => given.out(printable(l));
  const err = (l: string) => given.err(printable(l));
  const ctx: CliDeps = { ...given, out, err, services: given.services ?? servicesFor(given) };
  // The portal's one rule for characters holds here too (line breaks allowed: --body texts).
  const bad = argv.findIndex((a) => hasForbiddenChars(a, true));
  if (bad >= 0) {
    ctx.err(`error: argument ${bad + 1} holds a control character; PIM stores none`);
    return 1;
  }
  const program = buildProgram(ctx);
  return runCommand(ctx, () => program.parseAsync(argv, { from: 'user' }));
}
