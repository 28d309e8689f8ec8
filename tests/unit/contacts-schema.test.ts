import { describe, expect, it } from 'vitest';
import {
  isMobileNumber,
  isPhoneNumber,
  normaliseDutchPostcode,
  parseContactForm,
  parseFilters,
} from '../../src/features/contacts/schema.js';

describe('Dutch phone numbers', () => {
  it('accepts the usual ways of writing them', () => {
    for (const n of [
      '0884800900',
      '053 123 45 67',
      '053-1234567',
      '(053) 123 45 67',
      '+31 53 123 45 67',
      '0031531234567',
      '0800 1234',
      '0900-1234567',
      '+32 2 123 45 67',
    ])
      expect(isPhoneNumber(n), n).toBe(true);
  });
  it('refuses what cannot be dialled', () => {
    for (const n of ['12345', '0012', '053 123 45 678', '+31 053 123 45 67', 'bel me', '06123', '+31 6 1234 567'])
      expect(isPhoneNumber(n), n).toBe(false);
  });
  it('knows a mobile number', () => {
    expect(isMobileNumber('06 12 34 56 78')).toBe(true);
    expect(isMobileNumber('+31 6 12345678')).toBe(true);
    expect(isMobileNumber('0531234567')).toBe(false);
  });
});

describe('Dutch postcodes', () => {
  it('normalises to "1234 AB" and refuses the impossible ones', () => {
    expect(normaliseDutchPostcode('7521pr')).toBe('7521 PR');
    expect(normaliseDutchPostcode(' 7521 PR ')).toBe('7521 PR');
    for (const p of ['0123 AB', '7521 SS', '752 PR', 'ABCD EF']) expect(normaliseDutchPostcode(p), p).toBeNull();
  });
});

describe('the contact form', () => {
  const valid = {
    lastName: 'Bakker',
    organizationId: '1',
    firstName: '',
    initials: '',
    infix: '',
    gender: '',
    birthDate: '',
    active: 'yes',
    subscribeUpdate: 'yes',
    subscribeCare: 'no',
    subscribeBusiness: 'no',
    subscribeFlash: 'no',
    email: '',
    phone: '',
    fax: '',
    mobile: '',
    privateStreet: '',
    privatePostcode: '',
    privateCity: '',
    privateCountry: '',
    webAccess: 'no',
  };
  it('reports field errors and cross-field errors together', () => {
    const r = parseContactForm({ ...valid, lastName: '', privatePostcode: 'x', webAccess: 'yes' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['lastName', 'privatePostcode', 'webAccess']);
  });
  it('accepts a foreign postcode abroad and lower-cases the e-mail address', () => {
    const r = parseContactForm({
      ...valid,
      privatePostcode: 'B-1000',
      privateCountry: 'België',
      email: 'Iemand@Example.NL',
    });
    expect(r.ok && r.data.email).toBe('iemand@example.nl');
  });
});

describe('the list filters', () => {
  it('default to the manual: own organisation, actief ja, organisatie actief ja', () => {
    expect(parseFilters({}, 7)).toEqual({ org: 7, subs: false, name: '', active: 'yes', orgActive: 'yes', q: '' });
    expect(parseFilters({ org: 'all', active: 'all', orgActive: 'no', subs: '1' }, 7)).toMatchObject({
      org: 'all',
      active: 'all',
      orgActive: 'no',
      subs: true,
    });
    expect(parseFilters({ org: '1; DROP', active: 'maybe' }, 7)).toMatchObject({ org: 7, active: 'yes' });
  });
});
