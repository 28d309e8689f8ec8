/**
 * The page to go to after login: only a path on this site. `//evil.example`,
 * `https://evil.example`, `/\evil.example` (which browsers read as `//`) and paths that only
 * become `//…` once normalised (`/.//evil.example`, `/%2e%2e//evil.example`) go to the dashboard.
 * The check is on what would be sent, not on what came in.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/';
  if (value.includes('\\') || /[\u0000-\u001f]/.test(value)) return '/';
  try {
    const url = new URL(value, 'http://pim.invalid');
    if (url.origin !== 'http://pim.invalid') return '/';
    const out = url.pathname + url.search + url.hash;
    return out.startsWith('//') || out.includes('\\') ? '/' : out;
  } catch {
    return '/';
  }
}
