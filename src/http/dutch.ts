/** Dutch formats shared by every form: phone numbers, postcodes, the country. */

/**
 * A Dutch phone number (0xx xxx xx xx, +31 ..., 0031 ..., 0800/0900 service numbers) or an
 * international one in E.164 form (+<country><number>); spaces, hyphens, dots and parentheses
 * are allowed.
 */
export function isPhoneNumber(v: string): boolean {
  if (!/^\+?[0-9 ().-]+$/.test(v)) return false;
  const digits = v.replace(/[ ().-]/g, '');
  if (/^(\+31|0031)/.test(digits)) return /^(\+31|0031)[1-9]\d{8}$/.test(digits);
  if (digits.startsWith('+')) return /^\+[1-9]\d{7,14}$/.test(digits);
  return /^0[1-9]\d{8}$/.test(digits) || /^0[89]0[0-9]\d{4,7}$/.test(digits);
}

/** A Dutch mobile number: 06 followed by eight digits (or +31 6 ...), or an international one. */
export function isMobileNumber(v: string): boolean {
  if (!isPhoneNumber(v)) return false;
  const digits = v.replace(/[ ().-]/g, '');
  if (/^(\+31|0031)/.test(digits)) return /^(\+31|0031)6\d{8}$/.test(digits);
  return digits.startsWith('+') || /^06\d{8}$/.test(digits);
}

/** "7521pr" -> "7521 PR"; null when it is not a Dutch postcode (1000-9999, two letters, not SA/SD/SS). */
export function normaliseDutchPostcode(v: string): string | null {
  const m = /^([1-9]\d{3})\s?([A-Za-z]{2})$/.exec(v.trim());
  if (!m) return null;
  const letters = m[2]!.toUpperCase();
  if (['SA', 'SD', 'SS'].includes(letters)) return null;
  return `${m[1]} ${letters}`;
}

/** True when a country means the Netherlands (empty counts: the portal's default). */
export function isNetherlands(country: string | null | undefined): boolean {
  return !country || /^(nederland|the netherlands|netherlands|nl)$/i.test(country.trim());
}
