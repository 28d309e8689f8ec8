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
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), BASE_URL: 'https://pim.example/' })).toMatchObject({ secureCookies: true, baseUrl: 'https://pim.example' });
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), BASE_URL: 'http://localhost:3000' }).secureCookies).toBe(false);
  });
});
