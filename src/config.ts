import express from 'express';
import { z } from 'zod';
import { parseKey } from './auth/secret-box.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** An identity provider's URL: https, or http on the loopback interface (tests, local trials). */
const providerUrl = z
  .url()
  .refine((v) => {
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
  }, 'must be an https URL (http only on 127.0.0.1 or localhost)');

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
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TWO_FACTOR_KEY: z
    .string()
    .refine((v) => parseKey(v) !== null, 'must be 32 random bytes as 64 hex digits or base64 (e.g. openssl rand -hex 32)')
    .optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).default(12),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('PIM <noreply@vcareconnect.nl>'),
  LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info'),
  // Single sign-on: a provider is on when its client id and secret are both set.
  MICROSOFT_CLIENT_ID: z.string().optional(),
  MICROSOFT_CLIENT_SECRET: z.string().optional(),
  MICROSOFT_TENANT: z.string().regex(/^[A-Za-z0-9.-]{1,100}$/, 'a tenant id, domain, or organizations').default('organizations'),
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
});

/** The kinds of ticket a service level names, plus DEFAULT for a ticket without a kind. */
const SLA_KEYS = ['INCIDENT', 'CHANGE', 'QUESTION', 'WISH', 'SERVICE_REQUEST', 'DEFAULT'] as const;
export type SlaKey = (typeof SLA_KEYS)[number];
const SLA_DEFAULTS: Record<SlaKey, number> = { INCIDENT: 1, CHANGE: 5, QUESTION: 3, WISH: 10, SERVICE_REQUEST: 5, DEFAULT: 3 };

/** Service & Support settings: who handles tickets and how fast. */
export interface TicketConfig {
  helpdeskName: string;
  helpdeskEmail: string;
  /** Working days from the day a ticket is filed to its deadline, per kind. */
  slaDays: Record<SlaKey, number>;
  /** A resolved ticket can be reopened by a note this many days after it was resolved. */
  reopenDays: number;
  remoteSupportUrl: string;
}

/** Parses TICKET_SLA_DAYS ("INCIDENT=1,CHANGE=5"); keys not given keep their default. */
export function parseSlaDays(spec: string): Record<SlaKey, number> | string {
  const out = { ...SLA_DEFAULTS };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Z_]+)\s*=\s*(\d{1,3})$/.exec(part.toUpperCase());
    if (!m || !(SLA_KEYS as readonly string[]).includes(m[1]!)) return `"${part}" is not KIND=DAYS with KIND one of ${SLA_KEYS.join(', ')}`;
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
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** Microsoft 365 / Entra ID login, when configured. */
  microsoft: MicrosoftConfig | undefined;
  /** Google login, when configured. */
  google: GoogleConfig | undefined;
  tickets: TicketConfig;
};

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
    throw new ConfigError('Invalid configuration:\n  TWO_FACTOR_KEY: required when NODE_ENV=production (openssl rand -hex 32)');
  }
  for (const [id, secret, name] of [
    [e.MICROSOFT_CLIENT_ID, e.MICROSOFT_CLIENT_SECRET, 'MICROSOFT'],
    [e.GOOGLE_CLIENT_ID, e.GOOGLE_CLIENT_SECRET, 'GOOGLE'],
  ] as const) {
    if (!!id !== !!secret) {
      throw new ConfigError(`Invalid configuration:\n  ${name}_CLIENT_${id ? 'SECRET' : 'ID'}: required when ${name}_CLIENT_${id ? 'ID' : 'SECRET'} is set`);
    }
  }
  const slaDays = parseSlaDays(e.TICKET_SLA_DAYS);
  if (typeof slaDays === 'string') throw new ConfigError(`Invalid configuration:\n  TICKET_SLA_DAYS: ${slaDays}`);
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    env: e.NODE_ENV,
    production,
    secureCookies: production && baseUrl.startsWith('https:'),
    host: e.HOST,
    port: e.PORT,
    baseUrl,
    trustProxy: e.TRUST_PROXY,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    demoSeed: e.DEMO_SEED,
    sessionSecret: e.SESSION_SECRET,
    twoFactorKey: e.TWO_FACTOR_KEY ? (parseKey(e.TWO_FACTOR_KEY) ?? undefined) : undefined,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
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
  };
}

function ticketConfig(e: z.output<typeof TicketEnv>, slaDays: Record<SlaKey, number>): TicketConfig {
  return {
    helpdeskName: e.HELPDESK_NAME,
    helpdeskEmail: e.HELPDESK_EMAIL.toLowerCase(),
    slaDays,
    reopenDays: e.TICKET_REOPEN_DAYS,
    remoteSupportUrl: e.REMOTE_SUPPORT_URL,
  };
}

const TicketEnv = Env.pick({ HELPDESK_NAME: true, HELPDESK_EMAIL: true, TICKET_SLA_DAYS: true, TICKET_REOPEN_DAYS: true, REMOTE_SUPPORT_URL: true });

/** Only the Service & Support settings (the staff tool needs these, not the web server's). */
export function loadTicketConfig(env: NodeJS.ProcessEnv = process.env): TicketConfig {
  const parsed = TicketEnv.safeParse(stripEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
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
