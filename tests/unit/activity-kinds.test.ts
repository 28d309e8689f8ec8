import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasKey, LOCALES } from '../../src/i18n/index.js';
import { ACTIVITY_GROUPS, parseActivityFilters } from '../../src/features/activity/service.js';
import { kindLabel } from '../../src/features/activity/present.js';
import { AUDIT_KINDS, auditKindOf } from '../../src/audit-kinds.js';
import { EVENT_TYPES } from '../../src/webhooks/events.js';

const SRC = path.resolve(import.meta.dirname, '../../src');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? (d.name === 'generated' ? [] : files(path.join(dir, d.name))) : [path.join(dir, d.name)],
  );

/** Every audit kind the code can record: the quoted 'area.name' literals on the lines that name an event's kind. */
function recordedKinds(): string[] {
  const kinds = new Set<string>();
  const areas =
    'contact|profile|password|login|sso|organization|invoice|document|ticket|application|announcement|faq|pageContent|demo|two_step|session|api_token|webhook|mail';
  for (const file of files(SRC).filter((f) => f.endsWith('.ts'))) {
    for (const line of readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /\bkind\b|loginEvent\(/.test(l))) {
      for (const m of line.matchAll(new RegExp(`'((?:${areas})\\.[a-z_A-Z]+)'`, 'g'))) kinds.add(m[1]!);
    }
  }
  return [...kinds].sort();
}

describe('Activiteiten knows every kind of event', () => {
  it('has a sentence and a label in both languages for each kind any code records', () => {
    const kinds = recordedKinds();
    expect(kinds).toContain('invoice.created');
    for (const k of [
      'login.password',
      'sso.login',
      'password.set_by_invitation',
      'invoice.imported',
      'contact.reinvited',
      'document.downloaded',
    ])
      expect(kinds).toContain(k);
    const missing = kinds.flatMap((k) =>
      LOCALES.flatMap((lang) =>
        ['sentence', 'label'].filter((p) => !hasKey(lang, `activity.kinds.${k}.${p}`)).map((p) => `${lang}: ${k}.${p}`),
      ),
    );
    expect(missing).toEqual([]);
  });

  it('offers only kinds it can describe in the filter', () => {
    const offered = ACTIVITY_GROUPS.flatMap((g) => g.kinds);
    expect(offered.filter((k) => !hasKey('nl', `activity.kinds.${k}.label`))).toEqual([]);
    expect(new Set(offered).size).toBe(offered.length);
  });

  it('lists in src/audit-kinds.ts every kind any code records, each once and spelled in the house style', () => {
    const kinds = recordedKinds();
    expect(kinds.filter((k) => !(AUDIT_KINDS as readonly string[]).includes(k))).toEqual([]);
    expect(new Set(AUDIT_KINDS).size).toBe(AUDIT_KINDS.length);
    // '<subject>.<what_happened>': snake_case after the dot.
    expect(AUDIT_KINDS.filter((k) => !/^[a-z_A-Z]+\.[a-z_]+$/.test(k))).toEqual([]);
    const missing = AUDIT_KINDS.flatMap((k) =>
      LOCALES.flatMap((lang) =>
        ['sentence', 'label'].filter((p) => !hasKey(lang, `activity.kinds.${k}.${p}`)).map((p) => `${lang}: ${k}.${p}`),
      ),
    );
    expect(missing).toEqual([]);
  });

  it("reads an event stored under the old spelling of the report-mail kind as today's kind", () => {
    expect(auditKindOf('contact.reportMailOptIn')).toBe('contact.report_mail_opt_in');
    expect(auditKindOf('contact.no_such_thing')).toBeNull();
    expect(kindLabel('nl', 'contact.reportMailOptIn')).toBe('E-mail bij nieuwe rapportages');
    expect(parseActivityFilters({ kind: 'contact.reportMailOptIn' }).kind).toBe('contact.report_mail_opt_in');
  });

  it('keeps the webhook event types webhooks offered before the kinds were typed', () => {
    expect(EVENT_TYPES).toEqual([
      'contact.changed',
      'document.created',
      'document.removed',
      'invoice.created',
      'invoice.imported',
      'invoice.updated',
      'organization.changed',
      'ticket.created',
      'ticket.deadline_changed',
      'ticket.imported',
      'ticket.note_added',
      'ticket.status_changed',
    ]);
  });
});
