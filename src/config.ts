import { createHmac, createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { z } from 'zod';
import type { S3Settings } from './storage/s3.js';
import { parseKey } from './auth/secret-box.js';
import {
  GOOGLE_IMAP_SCOPE,
  GOOGLE_TOKEN_URL,
  MICROSOFT_IMAP_SCOPE,
  microsoftTokenUrl,
  type ImapAuth,
} from './mail/imap-oauth.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** An identity provider's URL: https, or http on the loopback interface (tests, local trials). */
const providerUrl = z.url().refine((v) => {
  const u = new URL(v);
  return (
    u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))
  );
}, 'must be an https URL (http only on 127.0.0.1 or localhost)');

/** The outbox's default waits between attempts: short first, then every five minutes. */
const DEFAULT_RETRY_SCHEDULE = '15s,1m,2m,5m';

/**
 * Parses MAIL_RETRY_SCHEDULE ("15s,1m,2m,5m": seconds, minutes or hours, 1 s to 24 h each)
 * into milliseconds; a message when it is not that.
 */
export function parseRetrySchedule(spec: string): number[] | string {
  const unit = { s: 1_000, m: 60_000, h: 3_600_000 } as const;
  const out: number[] = [];
  for (const part of spec.split(',').map((p) => p.trim())) {
    const m = /^(\d{1,5})(s|m|h)$/.exec(part);
    const ms = m ? Number(m[1]) * unit[m[2] as keyof typeof unit] : NaN;
    if (!(ms >= 1_000 && ms <= 86_400_000))
      return `"${part}" is not a wait such as 30s, 5m or 1h (1 second to 24 hours), in a list like ${DEFAULT_RETRY_SCHEDULE}`;
    out.push(ms);
  }
  return out;
}

/** True when `iban` (spaces removed, upper case) passes the ISO 13616 mod-97 check. */
export function isIban(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const ch of digits) rest = (rest * 10 + Number(ch)) % 97;
  return rest === 1;
}

const compact = (v: string) => v.replace(/\s+/g, '').toUpperCase();

/** Every environment variable PIM reads; README.md ("Configuration") documents each one. */
const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BASE_URL: z.url().optional(),
  TRUST_PROXY: z
    .string()
    .transform((v) => (/^\d+$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v))
    .refine(isTrustProxy, 'a number of proxies, true/false, or addresses/subnets (e.g. loopback, 10.0.0.0/8)')
    .optional(),
  DATABASE_URL: z.string().optional(),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  DEMO_SEED: bool.default(true),
  BENCH_LADDER: bool.default(false),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TWO_FACTOR_KEY: z
    .string()
    .refine(
      (v) => parseKey(v) !== null,
      'must be 32 random bytes as 64 hex digits or base64 (e.g. openssl rand -hex 32)',
    )
    .optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).default(12),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('PIM <noreply@vcareconnect.nl>'),
  // Outbox: the waits between attempts (the last one repeats) and when a mail is given up.
  MAIL_RETRY_SCHEDULE: z.string().default(DEFAULT_RETRY_SCHEDULE),
  MAIL_GIVE_UP_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(48),
  LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info'),
  // Metrics (Prometheus): off unless a token or a port of its own is set.
  METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional(),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  METRICS_HOST: z.string().default('127.0.0.1'),
  // Shutdown (SIGTERM): readiness 503 for this long before the listener closes, then at most
  // this long for running responses.
  SHUTDOWN_DELAY_SECONDS: z.coerce.number().min(0).max(300).default(0),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(10),
  // Single sign-on: a provider is on when its client id and secret are both set.
  MICROSOFT_CLIENT_ID: z.string().optional(),
  MICROSOFT_CLIENT_SECRET: z.string().optional(),
  MICROSOFT_TENANT: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,100}$/, 'a tenant id, domain, or organizations')
    .default('organizations'),
  MICROSOFT_ISSUER_URL: providerUrl.optional(),
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  GOOGLE_AUTH_URL: providerUrl.default('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: providerUrl.default('https://oauth2.googleapis.com/token'),
  GOOGLE_USERINFO_URL: providerUrl.default('https://openidconnect.googleapis.com/v1/userinfo'),
  // Service & Support
  HELPDESK_NAME: z.string().default('Support Vtel'),
  HELPDESK_EMAIL: z.email().default('support@vcareconnect.nl'),
  TICKET_SLA_DAYS: z.string().default(''),
  TICKET_REOPEN_DAYS: z.coerce.number().int().min(0).max(365).default(14),
  REMOTE_SUPPORT_URL: z.url({ protocol: /^https?$/ }).default('https://www.vcareconnect.nl/support-op-afstand'),
  // The supplier on every invoice (PDF and UBL): required in production, demo values elsewhere.
  SUPPLIER_KVK: z
    .string()
    .trim()
    .regex(/^\d{8}$/, 'a KvK number: 8 digits')
    .optional(),
  SUPPLIER_VAT_ID: z
    .string()
    .transform(compact)
    .pipe(z.string().regex(/^NL\d{9}B\d{2}$/, 'a Dutch VAT number (btw-id), e.g. NL123456789B01'))
    .optional(),
  SUPPLIER_IBAN: z
    .string()
    .transform(compact)
    .refine(isIban, 'an IBAN with a valid check (e.g. NL91ABNA0417164300)')
    .optional(),
  SUPPLIER_BIC: z
    .string()
    .transform(compact)
    .pipe(z.string().regex(/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/, 'a BIC of 8 or 11 characters, e.g. ABNANL2A'))
    .optional(),
  SUPPLIER_ACCOUNT_HOLDER: z.string().trim().min(1).max(140).optional(),
  // Integration API and webhooks
  API_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(1200),
  WEBHOOK_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(2),
  WEBHOOK_ALLOW_PRIVATE: bool.optional(),
  FINANCE_HELPDESK_NAME: z.string().default('Administratie Vcare'),
  FINANCE_HELPDESK_EMAIL: z.email().default('administratie@vcareconnect.nl'),
  // Signs the no-login links in mails (unsubscribe, satisfaction); the same on every instance and the staff tool.
  MAIL_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  // File storage: S3-compatible object storage when S3_BUCKET is set, PostgreSQL otherwise.
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a bucket name (3-63 lower-case letters, digits, dots, hyphens)')
    .optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_PREFIX: z.string().max(200).default(''),
  S3_FORCE_PATH_STYLE: bool.optional(),
  // Replies to ticket mails (docs/inbound-mail.md): on when the domain and SMTP or IMAP are set.
  INBOUND_MAIL_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
      'a mail domain, e.g. reply.portal.example.nl',
    )
    .optional(),
  INBOUND_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  INBOUND_SMTP_HOST: z.string().default('127.0.0.1'),
  INBOUND_SMTP_TLS_KEY: z.string().optional(),
  INBOUND_SMTP_TLS_CERT: z.string().optional(),
  INBOUND_MAX_MESSAGE_MB: z.coerce.number().int().min(1).max(100).default(30),
  INBOUND_IMAP_URL: z
    .url({ protocol: /^imaps?$/ })
    .refine((v) => !!new URL(v).username, 'must name the mailbox user, e.g. imaps://user:password@host/INBOX')
    .optional(),
  // How the poller logs in: the URL's password, or an OAuth2 token (Microsoft 365, Google Workspace).
  INBOUND_IMAP_AUTH: z.enum(['password', 'oauth2-microsoft', 'oauth2-google']).default('password'),
  INBOUND_IMAP_OAUTH_TENANT_ID: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,100}$/, "a tenant id (GUID) or the tenant's domain")
    .optional(),
  INBOUND_IMAP_OAUTH_CLIENT_ID: z.string().optional(),
  INBOUND_IMAP_OAUTH_CLIENT_SECRET: z.string().optional(),
  INBOUND_IMAP_OAUTH_KEY_FILE: z.string().optional(),
  INBOUND_IMAP_OAUTH_CLIENT_EMAIL: z.email().optional(),
  INBOUND_IMAP_OAUTH_PRIVATE_KEY: z.string().optional(),
  INBOUND_IMAP_OAUTH_TOKEN_URL: providerUrl.optional(),
  INBOUND_IMAP_OAUTH_SCOPE: z.string().trim().min(1).max(500).optional(),
  INBOUND_IMAP_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  INBOUND_IMAP_PROCESSED_FOLDER: z.string().min(1).max(200).default('PIM/Processed'),
  INBOUND_IMAP_REFUSED_FOLDER: z.string().min(1).max(200).default('PIM/Refused'),
  INBOUND_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  INBOUND_NOTES_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(20),
});

/** Replies to ticket mails: where they arrive (SMTP, IMAP or both) and their limits. */
export interface InboundConfig {
  /** The reply addresses are reply+<token>@domain. */
  domain: string;
  /** The listener the organisation's relay delivers to (the MX of `domain`). */
  smtp: { host: string; port: number; tls: { key: string; cert: string } | undefined } | undefined;
  /** A mailbox polled for replies (imap[s]://user[:password]@host[:port]/FOLDER) and how it logs in. */
  imap: { url: string; auth: ImapAuth; intervalMs: number; processedFolder: string; refusedFolder: string } | undefined;
  /** A message larger than this is refused (SMTP: 552 at DATA; IMAP: moved to the refused folder). */
  maxBytes: number;
  /** Raw messages and their rows are deleted after this many days. */
  retentionDays: number;
  /** Notes by mail one person may add to one ticket per hour. */
  notesPerHour: number;
}

/** The supplier's registration and bank details, printed on every invoice. */
export interface SupplierConfig {
  /** Kamer van Koophandel number (8 digits). */
  kvk: string;
  /** VAT number (btw-id), e.g. NL123456789B01. */
  vatId: string;
  /** IBAN without spaces. */
  iban: string;
  bic: string;
  /** The name the account is held in. */
  accountHolder: string;
  /** True when these are the demo values (not a real account). */
  demo: boolean;
}

const SUPPLIER_VARS = [
  'SUPPLIER_KVK',
  'SUPPLIER_VAT_ID',
  'SUPPLIER_IBAN',
  'SUPPLIER_BIC',
  'SUPPLIER_ACCOUNT_HOLDER',
] as const;

/** Demo values for development and tests: a well-formed example, not anyone's account. */
export const DEMO_SUPPLIER: SupplierConfig = {
  kvk: '12345678',
  vatId: 'NL000099998B57',
  iban: 'NL91ABNA0417164300',
  bic: 'ABNANL2A',
  accountHolder: 'Vcare connect B.V. (demo)',
  demo: true,
};

/**
 * The supplier from the environment; in production every variable
 * is required (an invoice without them cannot be paid or booked).
 */
function supplierConfig(e: z.output<typeof Env>, production: boolean): SupplierConfig {
  const missing = SUPPLIER_VARS.filter((k) => e[k] === undefined);
  if (missing.length === 0) {
    return {
      kvk: e.SUPPLIER_KVK!,
      vatId: e.SUPPLIER_VAT_ID!,
      iban: e.SUPPLIER_IBAN!,
      bic: e.SUPPLIER_BIC!,
      accountHolder: e.SUPPLIER_ACCOUNT_HOLDER!,
      demo: false,
    };
  }
  if (production) {
    throw new ConfigError(
      `Invalid configuration:\n${missing.map((k) => `  ${k}: required when NODE_ENV=production (every invoice carries the supplier's KvK number, VAT number and bank account)`).join('\n')}`,
    );
  }
  return DEMO_SUPPLIER;
}

/** The URL `npm start` answers on when BASE_URL is not set: HOST when it names a host, else localhost. */
export function defaultBaseUrl(host: string, port: number): string {
  const local = ['', '127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(host);
  const name = local ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/** The kinds of ticket a service level names, plus DEFAULT for a ticket without a kind. */
const SLA_KEYS = ['INCIDENT', 'CHANGE', 'QUESTION', 'WISH', 'SERVICE_REQUEST', 'DEFAULT'] as const;
export type SlaKey = (typeof SLA_KEYS)[number];
const SLA_DEFAULTS: Record<SlaKey, number> = {
  INCIDENT: 1,
  CHANGE: 5,
  QUESTION: 3,
  WISH: 10,
  SERVICE_REQUEST: 5,
  DEFAULT: 3,
};

/** Service & Support settings: who handles tickets and how fast. */
export interface TicketConfig {
  helpdeskName: string;
  helpdeskEmail: string;
  /** Working days from the day a ticket is filed to its deadline, per kind. */
  slaDays: Record<SlaKey, number>;
  /** A resolved ticket can be reopened by a note this many days after it was resolved. */
  reopenDays: number;
  remoteSupportUrl: string;
  /** Where "Vraag over deze factuur" tickets go. */
  financeHelpdeskName: string;
  financeHelpdeskEmail: string;
  /** Key of the signed no-login links in mails (unsubscribe, satisfaction). */
  linkSecret: string;
  /** S3-compatible object storage for attachments; undefined: PostgreSQL. */
  s3: S3Settings | undefined;
  /** The domain of the reply addresses when replies by mail are on (INBOUND_MAIL_DOMAIN with SMTP or IMAP). */
  replyDomain: string | undefined;
}

/** Parses TICKET_SLA_DAYS ("INCIDENT=1,CHANGE=5"); keys not given keep their default. */
export function parseSlaDays(spec: string): Record<SlaKey, number> | string {
  const out = { ...SLA_DEFAULTS };
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Z_]+)\s*=\s*(\d{1,3})$/.exec(part.toUpperCase());
    if (!m || !(SLA_KEYS as readonly string[]).includes(m[1]!))
      return `"${part}" is not KIND=DAYS with KIND one of ${SLA_KEYS.join(', ')}`;
    out[m[1] as SlaKey] = Number(m[2]);
  }
  return out;
}

export type Config = {
  env: 'development' | 'production' | 'test';
  production: boolean;
  /** Cookies are Secure (and the session cookie __Host-) in production behind an https BASE_URL. */
  secureCookies: boolean;
  host: string;
  port: number;
  baseUrl: string;
  /** True when BASE_URL was set; otherwise baseUrl is derived from HOST and PORT (defaultBaseUrl). */
  baseUrlConfigured: boolean;
  trustProxy: string | number | boolean | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  demoSeed: boolean;
  sessionSecret: string | undefined;
  /** Encrypts authenticator-app secrets at rest; unset (development) derives one from the session secret. */
  twoFactorKey: Buffer | undefined;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Outbox retries: waits between attempts (the last repeats), and the give-up time. */
  mailRetry: MailRetryConfig;
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** `/metrics`: on the app's port with `token`, or on a port of its own (`port` at `host`, with `token` if set). */
  metrics: { enabled: boolean; token: string | undefined; port: number | undefined; host: string };
  /** SIGTERM: readiness 503 for `delayMs`, then stop accepting; responses get `timeoutMs`. */
  shutdown: { delayMs: number; timeoutMs: number };
  /** Microsoft 365 / Entra ID login, when configured. */
  microsoft: MicrosoftConfig | undefined;
  /** Google login, when configured. */
  google: GoogleConfig | undefined;
  tickets: TicketConfig;
  /** Replies to ticket mails; undefined: off (mails keep the no-reply address). */
  inbound: InboundConfig | undefined;
  /** The supplier's KvK, VAT number and bank account on invoices. */
  supplier: SupplierConfig;
  api: ApiConfig;
  /** `npm run bench -- --ladder` only: the benchmark's ladder pages (src/http/ladder.ts) are mounted. */
  benchLadder?: boolean;
};

/** The integration API and its webhooks. */
export interface ApiConfig {
  /** Requests per token per minute (counted in PostgreSQL, so shared by every instance). */
  rateLimitPerMinute: number;
  /** How often the webhook worker looks for due deliveries. */
  webhookIntervalMs: number;
  /** Whether webhooks may go to loopback, private and link-local addresses (a receiver inside the network). */
  webhookAllowPrivate: boolean;
}

/** How the outbox retries a mail that could not be sent. */
export interface MailRetryConfig {
  /** Wait before attempt n+1 after the n-th failure (milliseconds); the last one repeats. */
  scheduleMs: number[];
  /** A mail still not sent this long after it was queued (or retried by staff) is given up. */
  giveUpMs: number;
}

/** Microsoft 365 / Entra ID: the app registration and the issuer to discover. */
export interface MicrosoftConfig {
  clientId: string;
  clientSecret: string;
  /** `organizations` (any work or school tenant), or one tenant's id or domain. */
  tenant: string;
  /** The issuer discovered at first use: MICROSOFT_ISSUER_URL, else login.microsoftonline.com/<tenant>/v2.0. */
  issuerUrl: string;
}

/** Google: the OAuth client and its endpoints (overridable so tests can use a local provider). */
export interface GoogleConfig {
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
}

/** True when Express accepts the value as its `trust proxy` setting. */
function isTrustProxy(v: string | number | boolean): boolean {
  try {
    express().set('trust proxy', v);
    return true;
  } catch {
    return false;
  }
}

/** Thrown when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {}

/** Parses the environment once at boot. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && !e.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: required when NODE_ENV=production');
  }
  if (production && !e.BASE_URL) {
    throw new ConfigError('Invalid configuration:\n  BASE_URL: required when NODE_ENV=production');
  }
  if (production && !e.TWO_FACTOR_KEY) {
    throw new ConfigError(
      'Invalid configuration:\n  TWO_FACTOR_KEY: required when NODE_ENV=production (openssl rand -hex 32)',
    );
  }
  for (const [id, secret, name] of [
    [e.MICROSOFT_CLIENT_ID, e.MICROSOFT_CLIENT_SECRET, 'MICROSOFT'],
    [e.GOOGLE_CLIENT_ID, e.GOOGLE_CLIENT_SECRET, 'GOOGLE'],
  ] as const) {
    if (!!id !== !!secret) {
      throw new ConfigError(
        `Invalid configuration:\n  ${name}_CLIENT_${id ? 'SECRET' : 'ID'}: required when ${name}_CLIENT_${id ? 'ID' : 'SECRET'} is set`,
      );
    }
  }
  const slaDays = parseSlaDays(e.TICKET_SLA_DAYS);
  if (typeof slaDays === 'string') throw new ConfigError(`Invalid configuration:\n  TICKET_SLA_DAYS: ${slaDays}`);
  const retrySchedule = parseRetrySchedule(e.MAIL_RETRY_SCHEDULE);
  if (typeof retrySchedule === 'string')
    throw new ConfigError(`Invalid configuration:\n  MAIL_RETRY_SCHEDULE: ${retrySchedule}`);
  const supplier = supplierConfig(e, production);
  const baseUrl = (e.BASE_URL ?? defaultBaseUrl(e.HOST, e.PORT)).replace(/\/+$/, '');
  return {
    env: e.NODE_ENV,
    production,
    secureCookies: production && baseUrl.startsWith('https:'),
    host: e.HOST,
    port: e.PORT,
    baseUrl,
    baseUrlConfigured: e.BASE_URL !== undefined,
    trustProxy: e.TRUST_PROXY,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    demoSeed: e.DEMO_SEED,
    benchLadder: e.BENCH_LADDER,
    sessionSecret: e.SESSION_SECRET,
    twoFactorKey: e.TWO_FACTOR_KEY ? (parseKey(e.TWO_FACTOR_KEY) ?? undefined) : undefined,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    mailRetry: { scheduleMs: retrySchedule, giveUpMs: e.MAIL_GIVE_UP_HOURS * 3_600_000 },
    logLevel: e.LOG_LEVEL,
    metrics: {
      enabled: !!(e.METRICS_TOKEN || e.METRICS_PORT),
      token: e.METRICS_TOKEN,
      port: e.METRICS_PORT,
      host: e.METRICS_HOST,
    },
    shutdown: { delayMs: e.SHUTDOWN_DELAY_SECONDS * 1000, timeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000 },
    microsoft:
      e.MICROSOFT_CLIENT_ID && e.MICROSOFT_CLIENT_SECRET
        ? {
            clientId: e.MICROSOFT_CLIENT_ID,
            clientSecret: e.MICROSOFT_CLIENT_SECRET,
            tenant: e.MICROSOFT_TENANT,
            issuerUrl: e.MICROSOFT_ISSUER_URL ?? `https://login.microsoftonline.com/${e.MICROSOFT_TENANT}/v2.0`,
          }
        : undefined,
    google:
      e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET
        ? {
            clientId: e.GOOGLE_CLIENT_ID,
            clientSecret: e.GOOGLE_CLIENT_SECRET,
            authUrl: e.GOOGLE_AUTH_URL,
            tokenUrl: e.GOOGLE_TOKEN_URL,
            userinfoUrl: e.GOOGLE_USERINFO_URL,
          }
        : undefined,
    tickets: ticketConfig(e, slaDays),
    inbound: inboundConfig(e),
    supplier,
    api: {
      rateLimitPerMinute: e.API_RATE_LIMIT,
      webhookIntervalMs: e.WEBHOOK_INTERVAL_SECONDS * 1000,
      webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE ?? false,
    },
  };
}

function ticketConfig(e: z.output<typeof TicketEnv>, slaDays: Record<SlaKey, number>): TicketConfig {
  if (!!e.S3_ACCESS_KEY_ID !== !!e.S3_SECRET_ACCESS_KEY) {
    throw new ConfigError(
      `Invalid configuration:\n  S3_${e.S3_ACCESS_KEY_ID ? 'SECRET_ACCESS_KEY' : 'ACCESS_KEY_ID'}: required when the other S3 key is set`,
    );
  }
  return {
    helpdeskName: e.HELPDESK_NAME,
    helpdeskEmail: e.HELPDESK_EMAIL.toLowerCase(),
    slaDays,
    reopenDays: e.TICKET_REOPEN_DAYS,
    remoteSupportUrl: e.REMOTE_SUPPORT_URL,
    financeHelpdeskName: e.FINANCE_HELPDESK_NAME,
    financeHelpdeskEmail: e.FINANCE_HELPDESK_EMAIL.toLowerCase(),
    linkSecret: linkSecret(e),
    replyDomain:
      e.INBOUND_MAIL_DOMAIN && (e.INBOUND_SMTP_PORT !== undefined || e.INBOUND_IMAP_URL)
        ? e.INBOUND_MAIL_DOMAIN
        : undefined,
    s3: e.S3_BUCKET
      ? {
          bucket: e.S3_BUCKET,
          region: e.S3_REGION,
          endpoint: e.S3_ENDPOINT,
          accessKeyId: e.S3_ACCESS_KEY_ID,
          secretAccessKey: e.S3_SECRET_ACCESS_KEY,
          prefix: e.S3_PREFIX,
          forcePathStyle: e.S3_FORCE_PATH_STYLE ?? !!e.S3_ENDPOINT,
        }
      : undefined,
  };
}

/**
 * The mail-link key: MAIL_LINK_SECRET; else derived from SESSION_SECRET; else (a developer's
 * machine) one made once and kept in DATA_DIR, so the staff tool and the server agree.
 */
function linkSecret(e: z.output<typeof TicketEnv>): string {
  if (e.MAIL_LINK_SECRET) return e.MAIL_LINK_SECRET;
  if (e.SESSION_SECRET) return createHmac('sha256', e.SESSION_SECRET).update('pim mail links').digest('hex');
  if (e.NODE_ENV === 'test') return 'test-only mail link secret, never used outside tests';
  if (e.NODE_ENV === 'production')
    throw new ConfigError(
      'Invalid configuration:\n  MAIL_LINK_SECRET: required when NODE_ENV=production (or SESSION_SECRET)',
    );
  const file = path.join(e.DATA_DIR, 'mail-link-secret');
  if (!existsSync(file)) {
    mkdirSync(e.DATA_DIR, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Made meanwhile by the server or another command: use that one.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readFileSync(file, 'utf8').trim();
}

const TicketEnv = Env.pick({
  NODE_ENV: true,
  HELPDESK_NAME: true,
  HELPDESK_EMAIL: true,
  TICKET_SLA_DAYS: true,
  TICKET_REOPEN_DAYS: true,
  REMOTE_SUPPORT_URL: true,
  FINANCE_HELPDESK_NAME: true,
  FINANCE_HELPDESK_EMAIL: true,
  MAIL_LINK_SECRET: true,
  SESSION_SECRET: true,
  DATA_DIR: true,
  S3_BUCKET: true,
  S3_REGION: true,
  S3_ENDPOINT: true,
  S3_ACCESS_KEY_ID: true,
  S3_SECRET_ACCESS_KEY: true,
  S3_PREFIX: true,
  S3_FORCE_PATH_STYLE: true,
  INBOUND_MAIL_DOMAIN: true,
  INBOUND_SMTP_PORT: true,
  INBOUND_IMAP_URL: true,
});

/**
 * Replies by mail: on with INBOUND_MAIL_DOMAIN and a way in (INBOUND_SMTP_PORT, INBOUND_IMAP_URL);
 * a way in without the domain, or half a TLS pair, is an error rather than a silent no.
 */
function inboundConfig(e: z.output<typeof Env>): InboundConfig | undefined {
  const wayIn = e.INBOUND_SMTP_PORT !== undefined || !!e.INBOUND_IMAP_URL;
  const bad = (name: string, why: string) => new ConfigError(`Invalid configuration:\n  ${name}: ${why}`);
  if (!e.INBOUND_MAIL_DOMAIN) {
    if (wayIn)
      throw bad(
        'INBOUND_MAIL_DOMAIN',
        'required when INBOUND_SMTP_PORT or INBOUND_IMAP_URL is set (the reply addresses)',
      );
    return undefined;
  }
  if (!wayIn)
    throw bad('INBOUND_SMTP_PORT', 'INBOUND_SMTP_PORT or INBOUND_IMAP_URL is required with INBOUND_MAIL_DOMAIN');
  if (!!e.INBOUND_SMTP_TLS_KEY !== !!e.INBOUND_SMTP_TLS_CERT)
    throw bad(
      e.INBOUND_SMTP_TLS_KEY ? 'INBOUND_SMTP_TLS_CERT' : 'INBOUND_SMTP_TLS_KEY',
      'required when the other TLS file is set',
    );
  let tls: { key: string; cert: string } | undefined;
  if (e.INBOUND_SMTP_TLS_KEY && e.INBOUND_SMTP_TLS_CERT) {
    try {
      tls = { key: readFileSync(e.INBOUND_SMTP_TLS_KEY, 'utf8'), cert: readFileSync(e.INBOUND_SMTP_TLS_CERT, 'utf8') };
    } catch (err) {
      throw bad('INBOUND_SMTP_TLS_KEY', `cannot read the TLS files: ${(err as Error).message}`);
    }
  }
  return {
    domain: e.INBOUND_MAIL_DOMAIN,
    smtp: e.INBOUND_SMTP_PORT !== undefined ? { host: e.INBOUND_SMTP_HOST, port: e.INBOUND_SMTP_PORT, tls } : undefined,
    imap: e.INBOUND_IMAP_URL
      ? {
          url: e.INBOUND_IMAP_URL,
          auth: imapAuth(e, e.INBOUND_IMAP_URL),
          intervalMs: e.INBOUND_IMAP_INTERVAL_SECONDS * 1000,
          processedFolder: e.INBOUND_IMAP_PROCESSED_FOLDER,
          refusedFolder: e.INBOUND_IMAP_REFUSED_FOLDER,
        }
      : undefined,
    maxBytes: e.INBOUND_MAX_MESSAGE_MB * 1024 * 1024,
    retentionDays: e.INBOUND_RETENTION_DAYS,
    notesPerHour: e.INBOUND_NOTES_PER_HOUR,
  };
}

/**
 * The poller's login: the URL's password, or the OAuth2 client of Microsoft 365 (client credentials)
 * or Google Workspace (a service account's key, from its JSON file or its two fields). Checked here
 * so a missing or unreadable setting stops the start with its name; no secret is put in a message.
 */
function imapAuth(e: z.output<typeof Env>, imapUrl: string): ImapAuth {
  const bad = (name: string, why: string) => new ConfigError(`Invalid configuration:\n  ${name}: ${why}`);
  const url = new URL(imapUrl);
  const mode = e.INBOUND_IMAP_AUTH;
  if (mode === 'password') {
    if (!url.password)
      throw bad(
        'INBOUND_IMAP_URL',
        'must carry the password (imaps://user:password@host/INBOX), or set INBOUND_IMAP_AUTH=oauth2-microsoft or oauth2-google',
      );
    return { kind: 'password' };
  }
  if (url.password)
    throw bad('INBOUND_IMAP_URL', `has a password, which ${mode} does not use: remove it (imaps://mailbox@host/INBOX)`);
  if (!decodeURIComponent(url.username).includes('@'))
    throw bad(
      'INBOUND_IMAP_URL',
      `with ${mode} the user is the mailbox address (imaps://replies%40example.nl@host/INBOX)`,
    );
  if (mode === 'oauth2-microsoft') {
    for (const name of ['INBOUND_IMAP_OAUTH_CLIENT_ID', 'INBOUND_IMAP_OAUTH_CLIENT_SECRET'] as const)
      if (!e[name]) throw bad(name, 'required with INBOUND_IMAP_AUTH=oauth2-microsoft (the app registration)');
    if (!e.INBOUND_IMAP_OAUTH_TENANT_ID && !e.INBOUND_IMAP_OAUTH_TOKEN_URL)
      throw bad(
        'INBOUND_IMAP_OAUTH_TENANT_ID',
        'required with INBOUND_IMAP_AUTH=oauth2-microsoft (the directory/tenant id), unless INBOUND_IMAP_OAUTH_TOKEN_URL is set',
      );
    return {
      kind: 'oauth2-microsoft',
      tokenUrl: e.INBOUND_IMAP_OAUTH_TOKEN_URL ?? microsoftTokenUrl(e.INBOUND_IMAP_OAUTH_TENANT_ID!),
      clientId: e.INBOUND_IMAP_OAUTH_CLIENT_ID!,
      clientSecret: e.INBOUND_IMAP_OAUTH_CLIENT_SECRET!,
      scope: e.INBOUND_IMAP_OAUTH_SCOPE ?? MICROSOFT_IMAP_SCOPE,
    };
  }
  // oauth2-google: the key file as Google hands it out, or its client_email and private_key.
  let clientEmail = e.INBOUND_IMAP_OAUTH_CLIENT_EMAIL;
  let pem = e.INBOUND_IMAP_OAUTH_PRIVATE_KEY?.replace(/\\n/g, '\n');
  let keyId: string | undefined;
  let tokenUri: string | undefined;
  const keyName = e.INBOUND_IMAP_OAUTH_KEY_FILE ? 'INBOUND_IMAP_OAUTH_KEY_FILE' : 'INBOUND_IMAP_OAUTH_PRIVATE_KEY';
  if (e.INBOUND_IMAP_OAUTH_KEY_FILE) {
    if (clientEmail || pem)
      throw bad(
        'INBOUND_IMAP_OAUTH_KEY_FILE',
        'set either the key file or INBOUND_IMAP_OAUTH_CLIENT_EMAIL and INBOUND_IMAP_OAUTH_PRIVATE_KEY, not both',
      );
    let key: Record<string, unknown>;
    try {
      key = JSON.parse(readFileSync(e.INBOUND_IMAP_OAUTH_KEY_FILE, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      const why = err instanceof SyntaxError ? 'not JSON' : (err as Error).message;
      throw bad('INBOUND_IMAP_OAUTH_KEY_FILE', `cannot read the service account's key file: ${why}`);
    }
    if (key?.type !== 'service_account' || typeof key.client_email !== 'string' || typeof key.private_key !== 'string')
      throw bad(
        'INBOUND_IMAP_OAUTH_KEY_FILE',
        'not a service account key (a JSON key with type "service_account", client_email and private_key)',
      );
    clientEmail = key.client_email;
    pem = key.private_key;
    keyId = typeof key.private_key_id === 'string' ? key.private_key_id : undefined;
    tokenUri = typeof key.token_uri === 'string' ? key.token_uri : undefined;
  }
  if (!clientEmail || !pem)
    throw bad(
      clientEmail ? 'INBOUND_IMAP_OAUTH_PRIVATE_KEY' : 'INBOUND_IMAP_OAUTH_CLIENT_EMAIL',
      "required with INBOUND_IMAP_AUTH=oauth2-google (or INBOUND_IMAP_OAUTH_KEY_FILE, the service account's JSON key)",
    );
  let privateKey;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw bad(keyName, 'the private key is not a PEM private key (-----BEGIN PRIVATE KEY-----)');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw bad(keyName, 'the private key must be an RSA key (RS256)');
  const tokenUrl = e.INBOUND_IMAP_OAUTH_TOKEN_URL ?? tokenUri ?? GOOGLE_TOKEN_URL;
  if (!providerUrl.safeParse(tokenUrl).success)
    throw bad('INBOUND_IMAP_OAUTH_KEY_FILE', 'its token_uri must be an https URL');
  return {
    kind: 'oauth2-google',
    tokenUrl,
    clientEmail,
    privateKey,
    keyId,
    scope: e.INBOUND_IMAP_OAUTH_SCOPE ?? GOOGLE_IMAP_SCOPE,
  };
}

/** Only the Service & Support settings (the staff tool needs these, not the web server's). */
export function loadTicketConfig(env: NodeJS.ProcessEnv = process.env): TicketConfig {
  const parsed = TicketEnv.safeParse(stripEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(
      `Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  const slaDays = parseSlaDays(parsed.data.TICKET_SLA_DAYS);
  if (typeof slaDays === 'string') throw new ConfigError(`Invalid configuration:\n  TICKET_SLA_DAYS: ${slaDays}`);
  return ticketConfig(parsed.data, slaDays);
}

function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
