import { describe, expect, it } from 'vitest';
import { ConfigError, DEMO_SUPPLIER, defaultBaseUrl, isIban, loadConfig } from '../../src/config.js';

const SUPPLIER = {
  SUPPLIER_KVK: '87654321',
  SUPPLIER_VAT_ID: 'NL876543210B01',
  SUPPLIER_IBAN: 'NL20 INGB 0001 2345 67',
  SUPPLIER_BIC: 'INGBNL2A',
  SUPPLIER_ACCOUNT_HOLDER: 'Vcare connect B.V.',
};

describe('loadConfig', () => {
  it('has defaults for a developer machine', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      baseUrl: 'http://localhost:3000',
      sessionIdleMs: 30 * 60_000,
      sessionAbsoluteMs: 12 * 3_600_000,
      secureCookies: false,
    });
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
    const key = 'ab'.repeat(32);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', BASE_URL: 'https://pim.example', TWO_FACTOR_KEY: key, ...SUPPLIER }),
    ).toThrow(/SESSION_SECRET/);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), TWO_FACTOR_KEY: key, ...SUPPLIER }),
    ).toThrow(/BASE_URL/);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        SESSION_SECRET: 'x'.repeat(32),
        BASE_URL: 'https://pim.example/',
        ...SUPPLIER,
      }),
    ).toThrow(/TWO_FACTOR_KEY/);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        SESSION_SECRET: 'x'.repeat(32),
        BASE_URL: 'https://pim.example/',
        TWO_FACTOR_KEY: key,
        ...SUPPLIER,
      }),
    ).toMatchObject({ secureCookies: true, baseUrl: 'https://pim.example' });
    expect(
      loadConfig({
        NODE_ENV: 'production',
        SESSION_SECRET: 'x'.repeat(32),
        BASE_URL: 'http://localhost:3000',
        TWO_FACTOR_KEY: key,
        ...SUPPLIER,
      }).secureCookies,
    ).toBe(false);
  });

  it('reads TWO_FACTOR_KEY as 32 bytes in hex or base64, and names it when it is not', () => {
    expect(loadConfig({ TWO_FACTOR_KEY: 'ab'.repeat(32) }).twoFactorKey).toEqual(Buffer.alloc(32, 0xab));
    expect(loadConfig({ TWO_FACTOR_KEY: Buffer.alloc(32, 7).toString('base64') }).twoFactorKey).toEqual(
      Buffer.alloc(32, 7),
    );
    expect(loadConfig({}).twoFactorKey).toBeUndefined();
    expect(() => loadConfig({ TWO_FACTOR_KEY: 'too-short' })).toThrow(/TWO_FACTOR_KEY: must be 32 random bytes/);
    expect(() => loadConfig({ TWO_FACTOR_KEY: Buffer.alloc(16).toString('base64') })).toThrow(/TWO_FACTOR_KEY/);
  });

  it("the invoices' supplier: validated, demo values in development and tests, and required in production with a message naming each variable", () => {
    expect(loadConfig({ ...SUPPLIER }).supplier).toEqual({
      kvk: '87654321',
      vatId: 'NL876543210B01',
      iban: 'NL20INGB0001234567',
      bic: 'INGBNL2A',
      accountHolder: 'Vcare connect B.V.',
      demo: false,
    });
    expect(loadConfig({}).supplier).toEqual(DEMO_SUPPLIER);
    expect(loadConfig({ NODE_ENV: 'test' }).supplier.demo).toBe(true);
    const production = {
      NODE_ENV: 'production',
      SESSION_SECRET: 'x'.repeat(32),
      BASE_URL: 'https://pim.example',
      TWO_FACTOR_KEY: 'ab'.repeat(32),
    };
    let message = '';
    try {
      loadConfig({ ...production, SUPPLIER_KVK: '87654321' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    for (const name of ['SUPPLIER_VAT_ID', 'SUPPLIER_IBAN', 'SUPPLIER_BIC', 'SUPPLIER_ACCOUNT_HOLDER'])
      expect(message).toContain(`${name}: required when NODE_ENV=production`);
    expect(message).not.toContain('SUPPLIER_KVK');
    expect(() => loadConfig({ ...SUPPLIER, SUPPLIER_IBAN: 'NL20INGB0001234568' })).toThrow(
      /SUPPLIER_IBAN: an IBAN with a valid check/,
    );
    expect(() => loadConfig({ ...SUPPLIER, SUPPLIER_KVK: '1234' })).toThrow(/SUPPLIER_KVK/);
    expect(() => loadConfig({ ...SUPPLIER, SUPPLIER_VAT_ID: 'NL123' })).toThrow(/SUPPLIER_VAT_ID/);
    expect(() => loadConfig({ ...SUPPLIER, SUPPLIER_BIC: 'ING' })).toThrow(/SUPPLIER_BIC/);
    expect(isIban(DEMO_SUPPLIER.iban)).toBe(true);
  });

  it('without BASE_URL, links name HOST and PORT as npm start listens on them', () => {
    expect(loadConfig({ PORT: '8080' })).toMatchObject({ baseUrl: 'http://localhost:8080', baseUrlConfigured: false });
    expect(loadConfig({ HOST: 'pim.intern.example', PORT: '8080' }).baseUrl).toBe('http://pim.intern.example:8080');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '3100' }).baseUrl).toBe('http://localhost:3100');
    expect(loadConfig({ BASE_URL: 'https://pim.example', PORT: '8080' })).toMatchObject({
      baseUrl: 'https://pim.example',
      baseUrlConfigured: true,
    });
    expect(defaultBaseUrl('fe80::1', 3000)).toBe('http://[fe80::1]:3000');
  });
});
