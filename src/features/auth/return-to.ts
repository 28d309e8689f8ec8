/**
 * The page to go to after login: only a path on this site. `//evil.example`,
 * `https://evil.example` and `/\evil.example` (which browsers read as `//`) go to the dashboard.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/';
  if (value.startsWith('//') || value.includes('\\') || /[\u0000-\u001f]/.test(value)) return '/';
  try {
    const url = new URL(value, 'http://pim.invalid');
    if (url.origin !== 'http://pim.invalid') return '/';
    return url.pathname + url.search + url.hash;
  } catch {
    return '/';
  }
}
