import { describe, expect, it } from 'vitest';
import { hasForbiddenChars } from '../../src/http/text.js';
import { storedName, TEXT_TYPE } from '../../src/storage/detect.js';

const RLO = '\u202E';

describe('bidirectional controls', () => {
  it('are refused in any input, like the other control characters', () => {
    for (const c of ['\u202A', '\u202B', '\u202C', '\u202D', RLO, '\u2066', '\u2067', '\u2068', '\u2069']) {
      expect([c.codePointAt(0)!.toString(16), hasForbiddenChars(`Jan${c}sen`, false)]).toEqual([
        c.codePointAt(0)!.toString(16),
        true,
      ]);
    }
    // Right-to-left text itself and the plain marks are not controls that reorder what follows.
    for (const ok of ['שלום', 'مرحبا', 'a\u200Fb', 'Jansen – Café']) expect(hasForbiddenChars(ok, false)).toBe(false);
  });

  it('are taken out of an uploaded file name, so "rapport<RLO>gpj.txt" cannot pass for a .jpg', () => {
    expect(storedName(`rapport${RLO}gpj.txt`, TEXT_TYPE)).toBe('rapportgpj.txt');
    expect(storedName(`\u2066notities\u2069.txt`, TEXT_TYPE)).toBe('notities.txt');
  });
});
