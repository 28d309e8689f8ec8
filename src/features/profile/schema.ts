import { z } from 'zod';
import { NewPassword } from '../../auth/passwords.js';
import { fieldErrors, str } from '../../http/validation.js';
import { isMobileNumber, isNetherlands, isPhoneNumber, normaliseDutchPostcode } from '../../http/dutch.js';
import { CONTACT_MAX } from '../contacts/schema.js';

/** Optional text: trimmed, '' becomes null. */
const optional = (max: number, tooLong = 'profile.errors.tooLong') =>
  z
    .string()
    .trim()
    .max(max, tooLong)
    .transform((v) => (v === '' ? null : v));

const phone = optional(CONTACT_MAX.phone).refine((v) => v === null || isPhoneNumber(v), 'profile.errors.phone');
const mobile = optional(CONTACT_MAX.phone).refine((v) => v === null || isMobileNumber(v), 'profile.errors.mobile');

const checkbox = z.unknown().transform((v) => v === 'on' || v === 'true' || v === '1' || (Array.isArray(v) && v.length > 0));

/** The "Mijn gegevens" form of the personal page. */
export const ProfileForm = z
  .object({
    lastName: z.string().trim().min(1, 'profile.errors.lastNameRequired').max(CONTACT_MAX.lastName, 'profile.errors.tooLong'),
    firstName: optional(CONTACT_MAX.firstName),
    initials: optional(CONTACT_MAX.initials),
    infix: optional(CONTACT_MAX.infix),
    gender: z
      .enum(['', 'MALE', 'FEMALE', 'OTHER'], 'validation.invalid')
      .transform((v) => (v === '' ? null : v)),
    email: z
      .string()
      .trim()
      .toLowerCase()
      .min(1, 'profile.errors.emailRequired')
      .pipe(z.email('validation.email').max(254, 'validation.email')),
    phone,
    mobile,
    privateStreet: optional(CONTACT_MAX.privateStreet),
    privatePostcode: optional(CONTACT_MAX.privatePostcode),
    privateCity: optional(CONTACT_MAX.privateCity),
    privateCountry: optional(CONTACT_MAX.privateCountry),
    // The language of the person's mails; a post without it keeps Dutch, the default.
    language: z.enum(['', 'nl', 'en'], 'validation.invalid').default('').transform((v) => (v === '' ? 'nl' : v)),
    subscribeUpdate: checkbox,
    subscribeCare: checkbox,
    subscribeBusiness: checkbox,
    subscribeFlash: checkbox,
    currentPassword: z.string().max(1024).default(''),
    version: z.coerce.number().int().min(1).max(2_147_483_647),
  });
export type ProfileInput = z.output<typeof ProfileForm>;

/**
 * Parses the form; the postcode is checked against the country (a Dutch postcode for the
 * Netherlands) beside the other fields, so every field's problem shows at once.
 */
export function parseProfileForm(body: Record<string, unknown>): { data: ProfileInput; errors: null } | { data: null; errors: Record<string, string> } {
  const parsed = ProfileForm.safeParse(body);
  const errors: Record<string, string> = parsed.success ? {} : fieldErrors(parsed.error);
  const postcode = str(body.privatePostcode);
  const country = str(body.privateCountry) || null;
  let normalised: string | null = postcode || null;
  if (postcode && isNetherlands(country)) {
    normalised = normaliseDutchPostcode(postcode);
    if (!normalised) errors.privatePostcode ??= 'profile.errors.postcode';
  }
  if (!parsed.success || Object.keys(errors).length) return { data: null, errors };
  return { data: { ...parsed.data, privatePostcode: normalised }, errors: null };
}

/** "PIM Wachtwoord wijzigen": the current password, then the new one twice. */
export const PasswordForm = z
  .object({
    current: z.string().min(1, 'profile.errors.currentRequired').max(1024),
    password: NewPassword,
    confirm: z.string(),
  })
  .refine((f) => f.password === f.confirm, { message: 'password.mismatch', path: ['confirm'] });
