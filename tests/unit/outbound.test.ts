import { describe, expect, it } from 'vitest';
import { isPublicAddress, publicLookup, refusedTarget } from '../../src/webhooks/outbound.js';

describe('where a webhook may go', () => {
  it('only to public unicast addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      // IPv4 inside IPv6 other ways: mapped in hex, IPv4-compatible, 6to4, Teredo; and site-local.
      '::ffff:7f00:1',
      '::7f00:1',
      '2002:7f00:1::1',
      '2001:0:7f00:1::1',
      'fec0::1',
    ]) {
      expect([a, isPublicAddress(a)]).toEqual([a, false]);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '193.0.6.139', '2a00:1450:400e:80c::200e', '::ffff:8.8.8.8']) {
      expect([a, isPublicAddress(a)]).toEqual([a, true]);
    }
    expect(isPublicAddress('not an address')).toBe(false);
  });

  it('refuses a URL naming this machine or a private address before any lookup', () => {
    expect(refusedTarget(new URL('http://localhost:8080/'))).toMatch(/this machine/);
    expect(refusedTarget(new URL('http://[::1]:22/'))).toMatch(/not a public address/);
    expect(refusedTarget(new URL('https://169.254.169.254/latest/meta-data/'))).toMatch(/not a public address/);
    expect(refusedTarget(new URL('https://hooks.example.nl/pim'))).toBeNull();
  });

  it('refuses a name at connect time when it resolves to a non-public address (what the resolver says then)', async () => {
    const refusal = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      publicLookup('localhost', { all: true }, (err) => resolve(err)),
    );
    expect(refusal?.code).toBe('EADDRNOTPUBLIC');
    expect(refusal?.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), which is not a public address/);
  });
});
