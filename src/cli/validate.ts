import { CommanderError } from 'commander';
import { z } from 'zod';
import type { PrismaClient } from '../db/client.js';
import type { AuditActor } from '../audit.js';
import type { FileStorage } from '../storage/types.js';
import type { Config } from '../config.js';
import type { Services } from '../services.js';
import { ROLES, type Role } from '../auth/roles.js';
import { isUniqueViolation } from '../db/errors.js';
import { AppError } from '../http/errors.js';
import { appCode, dateTime, email, phone, text } from '../http/fields.js';

export { appCode, dateTime, email, phone, text };

export { isUniqueViolation };

/** What the commands work with; tests pass their own. */
export interface CliContext {
  prisma: PrismaClient;
  out: (line: string) => void;
  err: (line: string) => void;
  now: () => Date;
  /** The portal's public base URL, for links in mails (no trailing slash). */
  baseUrl: string;
  /** Where attachments live (default: PostgreSQL through `prisma`). */
  storage?: FileStorage;
  /** The configuration (src/cli/index.ts passes the environment's; default: that of an empty environment). */
  config?: Config;
  /** The domain; runCli builds it from the above when not given. */
  services?: Services;
}

/** The context once runCli has built the domain: what every command gets. */
export type CliDeps = CliContext & { services: Services };

/** Bad input or a refused change: printed as one line `error: <message>`, exit code 1. */
export class CliError extends Error {}

/**
 * A service's refusal as the staff tool says it: `<where>: <option>: <detail>`. A field is named as
 * its option (`organizationId` as `--organization-id`); one already written as an argument
 * (`<id>`) or an option (`--org`) stays as it is, and so does a field of a file's input (a refusal
 * with `where`, even '' for the file as a whole: `line 17: quantity`, `json`).
 */
export function refusalLine(e: AppError): string {
  const { field, detail, where } = e.info;
  // A record that is not there is the fault of the command's `<id>` argument, not of an option.
  const named = e.code === 'NOT_FOUND' && field === 'id' ? '<id>' : field;
  const name = !named ? '' : where !== undefined || /^[<-]/.test(named) ? named : `--${kebab(named)}`;
  return [where, name, detail].filter(Boolean).join(': ');
}

/** The staff member running the tool, as the audit trail names them. */
export function staffActor(): AuditActor {
  return { staff: process.env.USER ?? 'cli' };
}

// ---------------------------------------------------------------------------------------------
// Validation: zod schemas over commander's raw option values; the first problem names its flag.

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Parses `input` with `schema`; on failure throws a CliError naming the option (or argument). */
export function parse<T extends z.ZodType>(schema: T, input: unknown, args: readonly string[] = []): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const name = args.includes(key) ? `<${key}>` : `--${kebab(key)}`;
  throw new CliError(`${name}: ${issue.message}`);
}

const MAX_ID = 2_147_483_647;
/** A database id: a positive whole number that fits a PostgreSQL integer. */
export const id = z
  .string()
  .trim()
  .regex(/^[1-9]\d{0,9}$/, 'must be a positive whole number')
  .transform(Number)
  .refine((n) => n <= MAX_ID, 'must be a positive whole number');
/** A boolean switch: true only when given. */
export const flag = z
  .boolean()
  .optional()
  .transform((v) => v === true);
const roleNames = ROLES as readonly string[];
/** A contact role name, case-insensitive. */
export const role = z
  .string()
  .trim()
  .toUpperCase()
  .refine((v) => roleNames.includes(v), {
    error: (iss) => `unknown role "${String(iss.input)}" (one of ${ROLES.join(', ')})`,
  })
  .transform((v) => v as Role);

// ---------------------------------------------------------------------------------------------

/** Commander option parser for a repeatable option: collects the values in order. */
export const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * Runs `body` (a command line being parsed and run); returns the exit code: 0, or 1 after an
 * error (a CliError or any other error is printed as one line `error: <message>`).
 */
export async function runCommand(ctx: CliContext, body: () => Promise<unknown>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (e) {
    // Commander has already printed its own message (or the help).
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (e instanceof CliError) {
      ctx.err(`error: ${e.message}`);
      return 1;
    }
    if (e instanceof AppError && e.detail) {
      ctx.err(`error: ${refusalLine(e)}`);
      return 1;
    }
    const message = e instanceof Error ? e.message : String(e);
    ctx.err(
      `error: ${message
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .join(' ')}`,
    );
    return 1;
  }
}
