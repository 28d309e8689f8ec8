import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createApp } from '../../src/app.js';
import type { AppDeps } from '../../src/deps.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/clock.js';
import type { TestDb } from './db.js';

/** The supplier variables production requires (example values: the IBAN is the standard example). */
export const SUPPLIER_ENV = {
  SUPPLIER_KVK: '87654321',
  SUPPLIER_VAT_ID: 'NL876543210B01',
  SUPPLIER_IBAN: 'NL91 ABNA 0417 1643 00',
  SUPPLIER_BIC: 'ABNANL2A',
  SUPPLIER_ACCOUNT_HOLDER: 'Vcare connect B.V.',
};

/**
 * A clock the test moves by hand. It starts at the moment the test starts unless the test names an
 * instant: the database stamps some rows with its own now() (the outbox's next attempt, created_at
 * defaults), so a default far from the real time would make those rows lie in the past or future.
 * Expectations are therefore computed from this clock (formatDateTime(lang, clock.now())), never
 * written as a pattern of today's date; docs/testing.md shows the suite run under libfaketime.
 */
export class TestClock implements Clock {
  private t: number;
  constructor(start = Date.now()) {
    this.t = start;
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** The app on a test database, with a movable clock and a fixed base URL. */
export function testApp(
  db: TestDb,
  over: Partial<AppDeps> & { env?: Record<string, string> } = {},
): { app: Express; clock: TestClock; config: Config; deps: AppDeps; settle: () => Promise<void> } {
  const config = loadConfig({ NODE_ENV: 'test', BASE_URL: 'http://pim.test', LOG_LEVEL: 'silent', ...over.env });
  const clock = (over.clock as TestClock | undefined) ?? new TestClock();
  // Work deferred past the response is collected, so a test can wait for it (settle()).
  const pending: Promise<void>[] = [];
  const deps: AppDeps = {
    config,
    prisma: db.prisma,
    pool: db.pool,
    clock,
    sessionSecret: randomBytes(32).toString('hex'),
    defer: (work) => void pending.push(work()),
    ...over,
  };
  const settle = async () => {
    while (pending.length) await Promise.all(pending.splice(0));
  };
  return { app: createApp(deps), clock, config, deps, settle };
}

/** The value of the hidden _csrf field in an HTML page. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token in page');
  return m[1];
}

/** Opens /login and submits the real form with its real CSRF token. */
export async function logIn(agent: TestAgent, username: string, password: string) {
  const page = await agent.get('/login');
  return agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), username, password });
}

/** GETs `path` and posts `fields` to `action` with the page's CSRF token. */
export async function submitForm(
  agent: TestAgent,
  path: string,
  action: string,
  fields: Record<string, string | string[]>,
) {
  const page = await agent.get(path);
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), ...fields });
}

/** A new cookie-keeping client for the app. */
export function client(app: Express): TestAgent {
  return request.agent(app);
}

/** The text of an HTML page without tags, whitespace collapsed (what a reader sees). */
export function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}
