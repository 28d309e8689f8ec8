import { describe, expect, it } from 'vitest';
import { MAX_PAGE, pageInfo, parseListQuery, urlWith } from '../../src/http/list.js';

describe('pageInfo', () => {
  it('links the first, the last and two pages either side, with gaps', () => {
    expect(pageInfo(25 * 734, { page: 1, perPage: 25 }).links).toEqual([1, 2, 3, null, 400]);
    expect(pageInfo(25 * 50, { page: 20, perPage: 25 }).links).toEqual([1, null, 18, 19, 20, 21, 22, null, 50]);
    expect(pageInfo(25 * 5, { page: 3, perPage: 25 }).links).toEqual([1, 2, 3, 4, 5]);
    expect(pageInfo(0, { page: 1, perPage: 25 })).toMatchObject({ pages: 1, from: 0, to: 0, links: [1] });
  });
  it('caps deep pages and says the result is truncated', () => {
    const info = pageInfo(25 * MAX_PAGE + 1, { page: MAX_PAGE, perPage: 25 });
    expect(info.pages).toBe(MAX_PAGE);
    expect(info.truncated).toBe(true);
  });
});

describe('parseListQuery', () => {
  it('falls back to defaults for unknown values and bounds the page', () => {
    const q = parseListQuery(
      { sort: 'evil', dir: 'sideways', page: '99999', q: '  x  ' },
      { sorts: ['name', 'city'] as const, defaultSort: 'name' },
    );
    expect(q).toMatchObject({ sort: 'name', dir: 'asc', page: MAX_PAGE, q: 'x' });
    expect(parseListQuery({ page: '-3' }, { sorts: ['a'] as const, defaultSort: 'a' }).page).toBe(1);
  });
});

describe('urlWith', () => {
  it('keeps the other parameters, resets the page, and removes emptied ones', () => {
    expect(urlWith('/contacts', { q: 'jan', page: '3', active: 'yes' }, { sort: 'name' })).toBe(
      '/contacts?q=jan&active=yes&sort=name',
    );
    expect(urlWith('/contacts', { q: 'jan', page: '3' }, { page: 4 })).toBe('/contacts?q=jan&page=4');
    expect(urlWith('/contacts', { q: 'jan', lang: 'en' }, { q: null })).toBe('/contacts');
  });
});
