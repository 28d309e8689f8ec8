import Bowser from 'bowser';

/** A browser and operating system as a person recognises them ("Firefox", "Windows"); null when unknown. */
export interface BrowserName {
  browser: string | null;
  os: string | null;
}

/** Names the browser and OS of a user agent, by bowser (MIT; ua-parser-js 2 is AGPL). */
export function describeUserAgent(ua: string | null | undefined): BrowserName {
  if (!ua) return { browser: null, os: null };
  const parsed = Bowser.parse(ua.slice(0, 512));
  return { browser: parsed.browser.name || null, os: parsed.os.name || null };
}
