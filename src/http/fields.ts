import { z } from 'zod';
import { parseIsoDateTime } from '../cli/time.js';

/**
 * Field rules shared by the staff tool and the integration API (one rule, every door): the
 * messages are plain English, as both speak to staff and developers.
 */

/** Non-empty trimmed text of at most `max` characters. */
export const text = (max = 200) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
/** An e-mail address, trimmed and lower-cased. */
export const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('not a valid e-mail address').max(254, 'not a valid e-mail address'));
/** A phone or fax number: digits, spaces, +, -, parentheses. */
export const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ()-]{4,24}$/, 'not a valid phone number (digits, spaces, +, -, parentheses)');
/** An ISO 8601 date or date-time, Amsterdam time unless it has an offset (what staff type). */
export const dateTime = z.string().transform((v, ctx) => {
  const date = parseIsoDateTime(v);
  if (!date) {
    ctx.addIssue({
      code: 'custom',
      message: `not an ISO date-time: "${v}" (e.g. 2019-05-23T09:19, Amsterdam time, or 2019-05-23T09:19+02:00)`,
    });
    return z.NEVER;
  }
  return date;
});

/** An application code such as OPERATOR, upper-cased. */
export const appCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9_]{1,40}$/, 'not an application code (e.g. OPERATOR)');

/** A Dutch Chamber of Commerce (KvK) number: 8 digits (spaces and dots typed with it are dropped). */
export const kvkNumber = z
  .string()
  .transform((v) => v.replace(/[\s.]/g, ''))
  .pipe(z.string().regex(/^\d{8}$/, 'not a KvK number (8 digits)'));
/** A Dutch government identification number (OIN): 20 digits. */
export const oin = z
  .string()
  .transform((v) => v.replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{20}$/, 'not an OIN (20 digits)'));

/**
 * The Electronic Address Schemes (EAS) a Peppol participant id may use, from the code list in
 * Peppol BIS Billing 3.0 release 3.0.19 (rule PEPPOL-EN16931-CL008).
 */
export const PEPPOL_EAS = new Set(
  (
    '0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0151 0177 0183 0184 0188 0190 0191 0192 0193 ' +
    '0195 0196 0198 0199 0200 0201 0202 0204 0208 0209 0210 0211 0212 0213 0215 0216 0218 0221 0230 0235 9910 ' +
    '9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 9930 9931 9932 9933 9934 9935 9936 ' +
    '9937 9938 9939 9940 9941 9942 9943 9944 9945 9946 9947 9948 9949 9950 9951 9952 9953 9957 9959 0147 0154 ' +
    '0158 0170 0194 0203 0205 0217 0225 0240'
  ).split(' '),
);

/** Why a Peppol participant id "scheme:identifier" is not one (null when it is). */
function peppolIdProblem(v: string): string | null {
  const m = /^(\d{4}):([A-Za-z0-9._\-:]{1,100})$/.exec(v);
  if (!m) return 'not a Peppol participant id "scheme:identifier" (e.g. 0106:12345678)';
  if (!PEPPOL_EAS.has(m[1]!)) return `${m[1]} is not a Peppol electronic address scheme`;
  if (m[1] === '0106' && !/^\d{8}$/.test(m[2]!)) return 'a KvK number (scheme 0106) has 8 digits';
  if (m[1] === '0190' && !/^\d{20}$/.test(m[2]!)) return 'an OIN (scheme 0190) has 20 digits';
  return null;
}
/** A Peppol participant id (the e-invoicing address), "scheme:identifier", e.g. 0106:12345678. */
export const peppolId = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const problem = peppolIdProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
/** The format of an organisation's e-invoices: Peppol BIS Billing 3.0, or NLCIUS for Dutch government. */
export const einvoiceFormat = z.enum(['peppol', 'nlcius'], { error: 'must be peppol or nlcius' });
