/** A way a contact can log in, as the contact manager's pages mark it. */
export type LoginMark = 'PASSWORD' | 'MICROSOFT' | 'GOOGLE';

/**
 * How a contact can log in: a password (when one is set and the organisation does not
 * require SSO) and each linked provider. The facts come with the contact's own query.
 */
export function loginMarks(f: {
  hasPassword: boolean;
  ssoRequired: boolean;
  providers: readonly string[];
}): LoginMark[] {
  const marks: LoginMark[] = [];
  if (f.hasPassword && !f.ssoRequired) marks.push('PASSWORD');
  for (const p of ['MICROSOFT', 'GOOGLE'] as const) if (f.providers.includes(p)) marks.push(p);
  return marks;
}
