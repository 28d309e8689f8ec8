import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import type { PrismaClient } from '../db/client.js';
import { recordAudit, type AuditActor } from '../audit.js';
import { ROLES, type Role } from '../auth/roles.js';
import { fullName } from '../auth/actor.js';
import { seedDemo, DEMO_LOGIN, DEMO_PASSWORD } from '../db/demo.js';
import { createPasswordToken, tokenLink, TOKEN_TTL_MS } from '../features/auth/tokens.js';
import { enqueueMail } from '../mail/outbox.js';
import { renderMail } from '../http/views.js';
import { parseIsoDateTime } from './time.js';

/** What the commands work with; tests pass their own. */
export interface CliContext {
  prisma: PrismaClient;
  out: (line: string) => void;
  err: (line: string) => void;
  now: () => Date;
  /** The portal's public base URL, for links in mails (no trailing slash). */
  baseUrl: string;
}

/** Bad input or a refused change: printed as one line `error: <message>`, exit code 1. */
export class CliError extends Error {}

/** The staff member running the tool, as the audit trail names them. */
function staffActor(): AuditActor {
  return { staff: process.env.USER ?? 'cli' };
}

// ---------------------------------------------------------------------------------------------
// Validation: zod schemas over commander's raw option values; the first problem names its flag.

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Parses `input` with `schema`; on failure throws a CliError naming the option (or argument). */
function parse<T extends z.ZodType>(schema: T, input: unknown, args: readonly string[] = []): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const name = args.includes(key) ? `<${key}>` : `--${kebab(key)}`;
  throw new CliError(`${name}: ${issue.message}`);
}

const MAX_ID = 2_147_483_647;
const id = z
  .string()
  .trim()
  .regex(/^[1-9]\d{0,9}$/, 'must be a positive whole number')
  .transform(Number)
  .refine((n) => n <= MAX_ID, 'must be a positive whole number');
const text = (max = 200) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('not a valid e-mail address').max(254, 'not a valid e-mail address'));
const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ()-]{4,24}$/, 'not a valid phone number (digits, spaces, +, -, parentheses)');
const flag = z.boolean().optional().transform((v) => v === true);
const dateTime = z.string().transform((v, ctx) => {
  const date = parseIsoDateTime(v);
  if (!date) {
    ctx.addIssue({ code: 'custom', message: `not an ISO date-time: "${v}" (e.g. 2019-05-23T09:19, Amsterdam time, or 2019-05-23T09:19+02:00)` });
    return z.NEVER;
  }
  return date;
});
const roleNames = ROLES as readonly string[];
const role = z
  .string()
  .trim()
  .toUpperCase()
  .refine((v) => roleNames.includes(v), { error: (iss) => `unknown role "${String(iss.input)}" (one of ${ROLES.join(', ')})` })
  .transform((v) => v as Role);
const appCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9_]{1,40}$/, 'not an application code (e.g. OPERATOR)');

const OrgAdd = z.object({
  name: text(),
  parent: id.optional(),
  street: text().optional(),
  postcode: text(20).optional(),
  city: text().optional(),
  country: text(100).optional(),
  phone: phone.optional(),
  fax: phone.optional(),
  email: email.optional(),
  reports: flag,
});

const OrgList = z.object({ search: z.string().trim().max(200, 'must be at most 200 characters').optional() });

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

const Activation = z.object({ contact: id, app: appCode });

const NewsAdd = z.object({
  kind: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['news', 'maintenance', 'outage'], 'must be news, maintenance or outage')),
  title: text(),
  body: text(5000),
  titleEn: text().optional(),
  bodyEn: text(5000).optional(),
  org: id.optional(),
  publish: dateTime.optional(),
  expires: dateTime.optional(),
});

// ---------------------------------------------------------------------------------------------

function emitLines(write: (line: string) => void, chunk: string): void {
  for (const line of chunk.replace(/\n$/, '').split('\n')) write(line);
}

const collect = (value: string, previous: string[]) => [...previous, value];

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'P2002';
}

/** The staff tool's commands, wired to `ctx`; commander never exits the process (exitOverride). */
export function buildProgram(ctx: CliContext): Command {
  const { prisma } = ctx;
  const program = new Command('pim');
  program
    .description('PIM staff tool: feed the customer portal with organisations, contacts, applications and news.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => emitLines(ctx.out, s),
      writeErr: (s) => emitLines(ctx.err, s),
      outputError: (s, write) => write(s),
    });

  program
    .command('seed:demo')
    .description("load the user manual's demo data (only into a database without organisations)")
    .action(async () => {
      const { loaded } = await seedDemo(prisma, staffActor());
      ctx.out(
        loaded
          ? `demo data loaded: log in at ${ctx.baseUrl}/login as ${DEMO_LOGIN} with password ${DEMO_PASSWORD}`
          : 'demo data not loaded: the database already has organisations',
      );
    });

  program
    .command('org:add')
    .description('add an organisation (the address is used as both postal and visiting address)')
    .requiredOption('--name <name>', 'organisation name')
    .option('--parent <id>', 'id of the parent organisation (makes this a subsidiary)')
    .option('--street <street>', 'street and number')
    .option('--postcode <postcode>', 'postcode')
    .option('--city <city>', 'city')
    .option('--country <country>', 'country')
    .option('--phone <phone>', 'phone number')
    .option('--fax <fax>', 'fax number')
    .option('--email <email>', 'general e-mail address')
    .option('--reports', 'the contract includes reports')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(OrgAdd, raw);
      const org = await prisma.$transaction(async (tx) => {
        if (o.parent !== undefined && !(await tx.organization.findUnique({ where: { id: o.parent }, select: { id: true } }))) {
          throw new CliError(`--parent: no organisation with id ${o.parent}`);
        }
        const data = {
          name: o.name,
          parentId: o.parent ?? null,
          postalStreet: o.street ?? null,
          postalPostcode: o.postcode ?? null,
          postalCity: o.city ?? null,
          postalCountry: o.country ?? null,
          visitStreet: o.street ?? null,
          visitPostcode: o.postcode ?? null,
          visitCity: o.city ?? null,
          visitCountry: o.country ?? null,
          phone: o.phone ?? null,
          fax: o.fax ?? null,
          email: o.email ?? null,
          reportsInContract: o.reports,
        };
        const created = await tx.organization.create({ data, select: { id: true, name: true } });
        await recordAudit(tx, {
          actor: staffActor(),
          kind: 'organization.created',
          organizationId: created.id,
          subjectType: 'organization',
          subjectId: created.id,
          after: data,
        });
        return created;
      });
      ctx.out(`organisation ${org.id} created: ${org.name}`);
    });

  program
    .command('org:list')
    .description('list organisations, tab-separated: id, name, parent id, active (yes/no)')
    .option('--search <text>', 'only organisations whose name contains the text')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(OrgList, raw);
      const rows = await prisma.organization.findMany({
        where: o.search ? { name: { contains: o.search, mode: 'insensitive' } } : {},
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
        select: { id: true, name: true, parentId: true, active: true },
      });
      for (const r of rows) ctx.out([r.id, r.name, r.parentId ?? '', r.active ? 'yes' : 'no'].join('\t'));
    });

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
        const raw = await createPasswordToken(tx, c.id, 'INVITE', ctx.now());
        const mail = renderMail('nl', 'invitation', {
          name: fullName(c.firstName, c.infix, c.lastName),
          email: c.email,
          link: tokenLink(ctx.baseUrl, raw),
          hours: TOKEN_TTL_MS.INVITE / 3_600_000,
        });
        await enqueueMail(tx, { to: c.email, ...mail });
        await recordAudit(tx, {
          actor: staffActor(),
          kind: 'contact.invited',
          organizationId: c.organizationId,
          subjectType: 'contact',
          subjectId: c.id,
          after: { email: c.email },
        });
        return c.email;
      });
      ctx.out(`invitation queued for ${to}`);
    });

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

  program
    .command('news:add')
    .description('add an announcement to the dashboard (for everyone, or for one organisation and its subsidiaries)')
    .requiredOption('--kind <kind>', 'news, maintenance or outage')
    .requiredOption('--title <title>', 'title (Dutch)')
    .requiredOption('--body <text>', 'text (Dutch)')
    .option('--title-en <title>', 'title (English)')
    .option('--body-en <text>', 'text (English)')
    .option('--org <id>', 'only for this organisation')
    .option('--publish <datetime>', 'publication time, ISO 8601; without offset Amsterdam time (default: now)')
    .option('--expires <datetime>', 'time the announcement disappears, ISO 8601; without offset Amsterdam time')
    .action(async (raw: Record<string, unknown>) => {
      const o = parse(NewsAdd, raw);
      if (o.titleEn && !o.bodyEn) throw new CliError('--body-en: needed together with --title-en');
      if (o.bodyEn && !o.titleEn) throw new CliError('--title-en: needed together with --body-en');
      const publishedAt = o.publish ?? ctx.now();
      if (o.expires && o.expires.getTime() <= publishedAt.getTime()) {
        throw new CliError('--expires: must be later than the publication time');
      }
      const created = await prisma.$transaction(async (tx) => {
        if (o.org !== undefined && !(await tx.organization.findUnique({ where: { id: o.org }, select: { id: true } }))) {
          throw new CliError(`--org: no organisation with id ${o.org}`);
        }
        const data = {
          kind: o.kind.toUpperCase() as 'NEWS' | 'MAINTENANCE' | 'OUTAGE',
          organizationId: o.org ?? null,
          titleNl: o.title,
          bodyNl: o.body,
          titleEn: o.titleEn ?? null,
          bodyEn: o.bodyEn ?? null,
          publishedAt,
          expiresAt: o.expires ?? null,
        };
        const a = await tx.announcement.create({ data, select: { id: true, titleNl: true } });
        await recordAudit(tx, {
          actor: staffActor(),
          kind: 'announcement.created',
          organizationId: data.organizationId,
          subjectType: 'announcement',
          subjectId: a.id,
          after: { ...data, publishedAt: publishedAt.toISOString(), expiresAt: data.expiresAt?.toISOString() ?? null },
        });
        return a;
      });
      ctx.out(`announcement ${created.id} created: ${created.titleNl} (published ${publishedAt.toISOString()})`);
    });

  return program;
}

/** Runs one command line (without the node and script names); returns the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    // Commander has already printed its own message (or the help).
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (e instanceof CliError) {
      ctx.err(`error: ${e.message}`);
      return 1;
    }
    const message = e instanceof Error ? e.message : String(e);
    ctx.err(`error: ${message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ')}`);
    return 1;
  }
}
