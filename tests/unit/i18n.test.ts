import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatMoney, hasKey, localeKeys, pickLocale } from '../../src/i18n/index.js';
import { VIEWS_DIR } from '../../src/http/views.js';

describe('locales', () => {
  it('Dutch and English have the same keys', () => {
    expect(localeKeys('en').sort()).toEqual(localeKeys('nl').sort());
  });

  it("every t('...') key used in a view exists", () => {
    const missing: string[] = [];
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)],
      );
    for (const file of walk(VIEWS_DIR).filter((f) => f.endsWith('.njk'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\('([a-zA-Z0-9_.-]+[a-zA-Z0-9_-])'[,)]/g)) {
        if (!hasKey('nl', m[1]!)) missing.push(`${path.relative(VIEWS_DIR, file)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('picks ?lang=, then the session, then Accept-Language, then Dutch', () => {
    expect(pickLocale('en', 'nl', 'nl')).toBe('en');
    expect(pickLocale(undefined, 'en', 'nl')).toBe('en');
    expect(pickLocale(undefined, undefined, 'en-GB,en;q=0.9')).toBe('en');
    expect(pickLocale('fr', undefined, 'de')).toBe('nl');
  });
});

describe('formats', () => {
  const d = new Date('2017-07-13T09:05:00Z'); // 11:05 in Amsterdam (summer time)
  it('as the manual writes them', () => {
    expect(formatDate('nl', d)).toBe('13-7-2017');
    // One format everywhere: the manual's "6-7-2017 10:51", day and month without leading zeros.
    expect(formatDateTime('nl', new Date('2017-07-06T08:51:00Z'))).toBe('6-7-2017 10:51');
    expect(formatDateTime('nl', new Date('2019-05-23T07:09:00Z'))).toBe('23-5-2019 09:09');
    expect(formatDateTime('nl', new Date('2017-01-06T08:05:00Z'))).toBe('6-1-2017 09:05'); // winter time
    expect(formatDate('en', d)).toBe('13/7/2017');
    expect(formatDateTime('en', new Date('2017-07-06T08:51:00Z'))).toBe('6/7/2017 10:51');
    expect(formatMoney('nl', 1234.56)).toBe('€ 1.234,56');
    expect(formatMoney('nl', 0)).toBe('€ 0,00');
  });
});
