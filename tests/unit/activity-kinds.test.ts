import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasKey, LOCALES } from '../../src/i18n/index.js';
import { ACTIVITY_GROUPS } from '../../src/features/activity/service.js';

const SRC = path.resolve(import.meta.dirname, '../../src');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? (d.name === 'generated' ? [] : files(path.join(dir, d.name))) : [path.join(dir, d.name)]));

/** Every audit kind the code can record: the quoted 'area.name' literals on the lines that name an event's kind. */
function recordedKinds(): string[] {
  const kinds = new Set<string>();
  const areas = 'contact|profile|password|login|sso|organization|invoice|document|ticket|application|announcement|faq|pageContent|demo|two_step|session';
  for (const file of files(SRC).filter((f) => f.endsWith('.ts'))) {
    for (const line of readFileSync(file, 'utf8').split('\n').filter((l) => /\bkind\b|loginEvent\(/.test(l))) {
      for (const m of line.matchAll(new RegExp(`'((?:${areas})\\.[a-z_A-Z]+)'`, 'g'))) kinds.add(m[1]!);
    }
  }
  return [...kinds].sort();
}

describe('Activiteiten knows every kind of event', () => {
  it('has a sentence and a label in both languages for each kind any code records', () => {
    const kinds = recordedKinds();
    expect(kinds).toContain('invoice.created');
    for (const k of ['login.password', 'sso.login', 'password.set_by_invitation', 'invoice.imported', 'contact.reinvited', 'document.downloaded']) expect(kinds).toContain(k);
    const missing = kinds.flatMap((k) => LOCALES.flatMap((lang) => ['sentence', 'label'].filter((p) => !hasKey(lang, `activity.kinds.${k}.${p}`)).map((p) => `${lang}: ${k}.${p}`)));
    expect(missing).toEqual([]);
  });

  it('offers only kinds it can describe in the filter', () => {
    const offered = ACTIVITY_GROUPS.flatMap((g) => g.kinds);
    expect(offered.filter((k) => !hasKey('nl', `activity.kinds.${k}.label`))).toEqual([]);
    expect(new Set(offered).size).toBe(offered.length);
  });
});
