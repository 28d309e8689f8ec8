import { z } from 'zod';
import { NewPassword } from '../../auth/passwords.js';
import { fieldErrors, str } from '../../http/validation.js';
import { isNetherlands, normaliseDutchPostcode } from '../../http/dutch.js';
import { blankIsNull, contactFields } from '../../http/contact-fields.js';

const F = contactFields({
  lastNameRequired: 'profile.errors.lastNameRequired',
  tooLong: () => 'profile.errors.tooLong',
  email: 'validation.email',
  phone: 'profile.errors.phone',
  mobile: 'profile.errors.mobile',
});

const checkbox = z
  .unknown()
  .transform((v) => v === 'on' || v === 'true' || v === '1' || (Array.isArray(v) && v.length > 0));

/** The "Mijn gegevens" form of the personal page. */
export const ProfileForm = z.object({
  lastName: F.lastName,
  firstName: blankIsNull(F.firstName),
  initials: blankIsNull(F.initials),
  infix: blankIsNull(F.infix),
  gender: z.enum(['', 'MALE', 'FEMALE', 'OTHER'], 'validation.invalid').transform((v) => (v === '' ? null : v)),
  // The personal page's address is the username: it cannot be emptied here.
  email: F.email.min(1, 'profile.errors.emailRequired'),
  phone: blankIsNull(F.phone),
  mobile: blankIsNull(F.mobile),
  privateStreet: blankIsNull(F.privateStreet),
  privatePostcode: blankIsNull(F.privatePostcode),
  privateCity: blankIsNull(F.privateCity),
  privateCountry: blankIsNull(F.privateCountry),
  // The language of the person's mails; a post without it keeps Dutch, the default.
  language: z
    .enum(['', 'nl', 'en'], 'validation.invalid')
    .default('')
    .transform((v) => (v === '' ? 'nl' : v)),
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
 * Netherlands) beside the other fields, so every field's problem shows at once, with the
 * fields the edge refused (`refused`, see edgeErrors).
 */
export function parseProfileForm(
  body: Record<string, unknown>,
  refused: Record<string, string> = {},
): { data: ProfileInput; errors: null } | { data: null; errors: Record<string, string> } {
  const parsed = ProfileForm.safeParse(body);
  const errors: Record<string, string> = { ...(parsed.success ? {} : fieldErrors(parsed.error)), ...refused };
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
