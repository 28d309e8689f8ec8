import type { Request } from 'express';
import { str } from './validation.js';

/** The deepest page a list serves: offsets stay bounded, so a deep page stays fast. */
export const MAX_PAGE = 400;
export const PER_PAGE = 25;

/** Search, sort, direction and page of a list page, from `?q=&sort=&dir=&page=`. */
export interface ListQuery<S extends string> {
  q: string;
  sort: S;
  dir: 'asc' | 'desc';
  page: number;
  perPage: number;
  skip: number;
}

/** Parses the list parameters; unknown values fall back to the defaults (never a 500). */
export function parseListQuery<S extends string>(
  query: Request['query'],
  opts: { sorts: readonly S[]; defaultSort: S; defaultDir?: 'asc' | 'desc'; perPage?: number },
): ListQuery<S> {
  const sortParam = str(query.sort) as S;
  const sort = opts.sorts.includes(sortParam) ? sortParam : opts.defaultSort;
  const dirParam = str(query.dir);
  const dir = dirParam === 'asc' || dirParam === 'desc' ? dirParam : (opts.defaultDir ?? 'asc');
  const perPage = opts.perPage ?? PER_PAGE;
  const pageNum = Number.parseInt(str(query.page), 10);
  const page = Number.isFinite(pageNum) && pageNum >= 1 ? Math.min(pageNum, MAX_PAGE) : 1;
  return { q: str(query.q).slice(0, 200), sort, dir, page, perPage, skip: (page - 1) * perPage };
}

/** What the pagination macro shows. */
export interface PageInfo {
  total: number;
  page: number;
  pages: number;
  from: number;
  to: number;
  /** True when there are more results than the deepest page reaches (narrow the search). */
  truncated: boolean;
  /** The page numbers to link: first, last and two either side of the current; null is a gap. */
  links: (number | null)[];
}

/** Page numbers for `total` results. */
export function pageInfo(total: number, list: Pick<ListQuery<string>, 'page' | 'perPage'>): PageInfo {
  const pages = Math.max(1, Math.min(MAX_PAGE, Math.ceil(total / list.perPage)));
  const from = total === 0 ? 0 : (list.page - 1) * list.perPage + 1;
  return {
    total,
    page: list.page,
    pages,
    from: Math.min(from, total),
    to: Math.min(list.page * list.perPage, total),
    truncated: total > MAX_PAGE * list.perPage,
    links: pageLinks(list.page, pages),
  };
}

function pageLinks(page: number, pages: number): (number | null)[] {
  const links: (number | null)[] = [];
  for (let n = 1; n <= pages; n++) {
    if (n === 1 || n === pages || Math.abs(n - page) <= 2) links.push(n);
    else if (links[links.length - 1] !== null) links.push(null);
    if (n > 1 && n < page - 3) n = page - 3; // jump over the gap instead of walking it
    if (n > page + 2 && n < pages - 1) n = pages - 1;
  }
  return links;
}

/**
 * The current URL with some query parameters changed (null/undefined/'' removes one);
 * the page resets unless it is one of the changes. Used by sort headers, chips and pagination.
 */
export function urlWith(
  path: string,
  query: Request['query'],
  changes: Record<string, string | number | null | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k === 'lang') continue;
    for (const one of Array.isArray(v) ? v : [v]) if (typeof one === 'string' && one !== '') params.append(k, one);
  }
  if (!('page' in changes)) params.delete('page');
  for (const [k, v] of Object.entries(changes)) {
    params.delete(k);
    if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Escapes LIKE wildcards so a search for "50%" finds "50%". */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
