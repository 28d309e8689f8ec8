import { z } from 'zod';
import { ROLES, type Role } from '../../auth/roles.js';
import { BASIC_ROLES } from '../../auth/web-access.js';
import { fieldErrors, type FieldErrors } from '../../http/validation.js';
import { isMobileNumber, isNetherlands, isPhoneNumber, normaliseDutchPostcode } from '../../http/dutch.js';
import { blankIsNull, CONTACT_MAX, contactFields } from '../../http/contact-fields.js';

export { isMobileNumber, isPhoneNumber, normaliseDutchPostcode };

export { CONTACT_MAX };

const F = contactFields({
  lastNameRequired: 'contacts.errors.lastNameRequired',
  tooLong: () => 'contacts.errors.tooLong',
  email: 'validation.email',
  phone: 'contacts.errors.phone',
  mobile: 'contacts.errors.mobile',
});

const yesNo = (key: string) => z.enum(['yes', 'no'], key).transform((v) => v === 'yes');

/** The add / edit / copy form of a contact (the manual's four sections plus Webtoegang). */
export const ContactForm = z
  .object({
    // 1 Contactpersoon
    lastName: F.lastName,
    organizationId: z
      .string()
      .regex(/^\d{1,9}$/, 'contacts.errors.organizationRequired')
      .transform(Number),
    firstName: blankIsNull(F.firstName),
    initials: blankIsNull(F.initials),
    infix: blankIsNull(F.infix),
    gender: z.enum(['', 'MALE', 'FEMALE', 'OTHER'], 'validation.invalid').transform((v) => (v === '' ? null : v)),
    birthDate: z
      .string()
      .trim()
      .refine((v) => v === '' || isPastDate(v), 'contacts.errors.birthDate')
      .transform((v) => (v === '' ? null : new Date(`${v}T00:00:00Z`))),
    active: yesNo('validation.required'),
    // 2 Nieuwsbrieven & Storingsmeldingen
    subscribeUpdate: yesNo('validation.required'),
    subscribeCare: yesNo('validation.required'),
    subscribeBusiness: yesNo('validation.required'),
    subscribeFlash: yesNo('validation.required'),
    // 3 Contactinformatie
    email: blankIsNull(F.email),
    phone: blankIsNull(F.phone),
    fax: blankIsNull(F.fax),
    mobile: blankIsNull(F.mobile),
    privateStreet: blankIsNull(F.privateStreet),
    privatePostcode: blankIsNull(F.privatePostcode),
    privateCity: blankIsNull(F.privateCity),
    privateCountry: blankIsNull(F.privateCountry),
    // The language of the person's mails; a form without the field keeps Dutch, the default.
    language: z
      .enum(['', 'nl', 'en'], 'validation.invalid')
      .default('')
      .transform((v) => (v === '' ? 'nl' : v)),
    // 4 Inloggen
    webAccess: yesNo('validation.required'),
  })
  .transform((f) => {
    if (f.privatePostcode !== null && isNetherlands(f.privateCountry))
      f.privatePostcode = normaliseDutchPostcode(f.privatePostcode) ?? f.privatePostcode;
    return f;
  });

/**
 * Parses the contact form: every field's own check, plus the checks across fields (a Dutch
 * postcode when the country is the Netherlands, web access only with an e-mail address),
 * all reported at once, with the fields the edge refused (`refused`, see edgeErrors).
 */
export function parseContactForm(
  values: Record<string, string>,
  refused: FieldErrors = {},
): { ok: true; data: ContactInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = { ...refused };
  const postcode = (values.privatePostcode ?? '').trim();
  if (postcode && isNetherlands(values.privateCountry) && !normaliseDutchPostcode(postcode))
    errors.privatePostcode = 'contacts.errors.postcode';
  if (values.webAccess === 'yes' && !(values.email ?? '').trim())
    errors.webAccess = 'contacts.errors.webAccessNeedsEmail';
  const form = ContactForm.safeParse(values);
  if (!form.success) Object.assign(errors, { ...fieldErrors(form.error), ...errors });
  if (!form.success || Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, data: form.data };
}

export type ContactInput = z.output<typeof ContactForm>;

function isPastDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return (
    !Number.isNaN(d.getTime()) &&
    d.toISOString().startsWith(v) &&
    d.getUTCFullYear() >= 1900 &&
    d.getTime() < Date.now()
  );
}

/** The form fields every contact form carries, as strings (to re-render what the user typed). */
export const FORM_FIELDS = [
  'lastName',
  'organizationId',
  'firstName',
  'initials',
  'infix',
  'gender',
  'birthDate',
  'active',
  'subscribeUpdate',
  'subscribeCare',
  'subscribeBusiness',
  'subscribeFlash',
  'email',
  'phone',
  'fax',
  'mobile',
  'privateStreet',
  'privatePostcode',
  'privateCity',
  'privateCountry',
  'language',
  'webAccess',
] as const;

/** The posted values of the form, as strings. */
export function formValues(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FORM_FIELDS) {
    const v = body[k];
    out[k] = typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
  }
  return out;
}

/** The version an edit started from (hidden field); NaN when missing. */
export function versionOf(body: Record<string, unknown>): number {
  const v = typeof body.version === 'string' ? body.version : '';
  return /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
}

/** The roles ticked in the roles form (unknown names are a bad request, not ignored). */
export function rolesFrom(body: Record<string, unknown>): Set<Role> | null {
  const raw = body.roles;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out = new Set<Role>();
  for (const r of list) {
    if (typeof r !== 'string' || !(ROLES as readonly string[]).includes(r)) return null;
    out.add(r as Role);
  }
  return out;
}

/**
 * The basic roles left ticked under "Webtoegang" (the form marks that it showed them with
 * `basicRolesShown`): null when the form did not offer the choice (the rule's default), an
 * empty set when every box was unticked; undefined for a name that is not a basic role.
 */
export function basicRolesFrom(body: Record<string, unknown>): Set<Role> | null | undefined {
  if (body.basicRolesShown !== '1') return null;
  const raw = body.basicRoles;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out = new Set<Role>();
  for (const r of list) {
    if (typeof r !== 'string' || !(BASIC_ROLES as readonly string[]).includes(r)) return undefined;
    out.add(r as Role);
  }
  return out;
}

/** The list filters, from the query string (unknown values fall back to the defaults). */
export interface ContactFilters {
  /** An organisation id, or 'all' (every organisation the person may see). */
  org: number | 'all';
  subs: boolean;
  name: string;
  active: 'yes' | 'no' | 'all';
  orgActive: 'yes' | 'no' | 'all';
  /** "Uitgebreid zoeken": any field. */
  q: string;
}

const tri = (v: unknown): 'yes' | 'no' | 'all' | null => (v === 'yes' || v === 'no' || v === 'all' ? v : null);

/** Parses the filters; without parameters the manual's defaults: own organisation, Actief ja, Organisatie actief ja. */
export function parseFilters(query: Record<string, unknown>, ownOrgId: number): ContactFilters {
  const s = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const org = s(query.org);
  return {
    org: org === 'all' ? 'all' : /^\d{1,9}$/.test(org) ? Number(org) : ownOrgId,
    subs: s(query.subs) === '1',
    name: s(query.name).slice(0, 100),
    active: tri(query.active) ?? 'yes',
    orgActive: tri(query.orgActive) ?? 'yes',
    q: s(query.q).slice(0, 100),
  };
}
