import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('has defaults for a developer machine', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, baseUrl: 'http://localhost:3000', sessionIdleMs: 30 * 60_000, sessionAbsoluteMs: 12 * 3_600_000, secureCookies: false });
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'x', SESSION_IDLE_MINUTES: '0' })).toThrow(/PORT[\s\S]*SESSION_IDLE_MINUTES/);
    expect(() => loadConfig({ TRUST_PROXY: 'not an address' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ MICROSOFT_CLIENT_ID: 'x' })).toThrow(ConfigError);
  });

  it('reads TRUST_PROXY as a hop count, a boolean or addresses', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
  });

  it('requires a session secret and base URL in production, and marks cookies Secure only behind https', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', BASE_URL: 'https://pim.example' })).toThrow(/SESSION_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) })).toThrow(/BASE_URL/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), BASE_URL: 'https://pim.example/' })).toThrow(/TWO_FACTOR_KEY/);
    const key = 'ab'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), BASE_URL: 'https://pim.example/', TWO_FACTOR_KEY: key })).toMatchObject({ secureCookies: true, baseUrl: 'https://pim.example' });
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), BASE_URL: 'http://localhost:3000', TWO_FACTOR_KEY: key }).secureCookies).toBe(false);
  });

  it('reads TWO_FACTOR_KEY as 32 bytes in hex or base64, and names it when it is not', () => {
    expect(loadConfig({ TWO_FACTOR_KEY: 'ab'.repeat(32) }).twoFactorKey).toEqual(Buffer.alloc(32, 0xab));
    expect(loadConfig({ TWO_FACTOR_KEY: Buffer.alloc(32, 7).toString('base64') }).twoFactorKey).toEqual(Buffer.alloc(32, 7));
    expect(loadConfig({}).twoFactorKey).toBeUndefined();
    expect(() => loadConfig({ TWO_FACTOR_KEY: 'too-short' })).toThrow(/TWO_FACTOR_KEY: must be 32 random bytes/);
    expect(() => loadConfig({ TWO_FACTOR_KEY: Buffer.alloc(16).toString('base64') })).toThrow(/TWO_FACTOR_KEY/);
  });
});
