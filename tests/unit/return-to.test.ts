import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/features/auth/return-to.js';

describe('safeReturnTo', () => {
  it.each([
    ['//evil.example', '/'],
    ['https://evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/.//evil.example/x', '/'],
    ['/..//evil.example', '/'],
    ['/%2e%2e//evil.example', '/'],
    ['/%2e//evil.example', '/'],
    ['\\\\evil.example', '/'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['javascript:alert(1)', '/'],
    ['/\t/evil.example', '/'],
    [undefined, '/'],
    [['/a', '/b'], '/'],
    ['/tickets?status=all#x', '/tickets?status=all#x'],
  ])('%s -> %s', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });
});
