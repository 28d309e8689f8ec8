import { z } from 'zod';
import { isMobileNumber, isPhoneNumber } from './dutch.js';

/**
 * The rules of a contact's own fields, one set for every door that writes them: the contact
 * form, the personal page, the staff tool and the integration API. Each door brings its own
 * words (message keys for the web pages, plain English for staff and developers), never its own
 * rules, so a value one door accepts never blocks another.
 */

/** The longest value of each field (the database columns are text; these are the portal's limits). */
export const CONTACT_MAX = {
  lastName: 100,
  firstName: 100,
  initials: 20,
  infix: 40,
  email: 254,
  phone: 30,
  privateStreet: 200,
  privatePostcode: 12,
  privateCity: 100,
  privateCountry: 100,
} as const;

/** The words a door uses for each broken rule. */
export interface ContactFieldMessages {
  lastNameRequired: string;
  tooLong: (max: number) => string;
  email: string;
  phone: string;
  mobile: string;
}

/** True for an e-mail address the portal accepts (also as a username). */
export function isEmailAddress(v: string): boolean {
  return z.email().max(CONTACT_MAX.email).safeParse(v).success;
}

/**
 * The field rules, trimmed; an empty optional field stays '' here: the web forms read it as
 * "empty" (null), the staff doors refuse it (leave the option out instead).
 */
export function contactFields(m: ContactFieldMessages) {
  const text = (max: number) => z.string().trim().max(max, m.tooLong(max));
  return {
    lastName: text(CONTACT_MAX.lastName).min(1, m.lastNameRequired),
    firstName: text(CONTACT_MAX.firstName),
    initials: text(CONTACT_MAX.initials),
    infix: text(CONTACT_MAX.infix),
    email: z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => v === '' || isEmailAddress(v), m.email),
    phone: text(CONTACT_MAX.phone).refine((v) => v === '' || isPhoneNumber(v), m.phone),
    fax: text(CONTACT_MAX.phone).refine((v) => v === '' || isPhoneNumber(v), m.phone),
    mobile: text(CONTACT_MAX.phone).refine((v) => v === '' || isMobileNumber(v), m.mobile),
    privateStreet: text(CONTACT_MAX.privateStreet),
    privatePostcode: text(CONTACT_MAX.privatePostcode),
    privateCity: text(CONTACT_MAX.privateCity),
    privateCountry: text(CONTACT_MAX.privateCountry),
  };
}

/** A web form's optional field: empty means null. */
export const blankIsNull = <T extends z.ZodType<string, string>>(s: T) =>
  s.transform((v: string) => (v === '' ? null : v));
