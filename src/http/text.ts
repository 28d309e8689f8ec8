import { z } from 'zod';

/**
 * The one rule for characters in any input: no C0 control character but tab, line feed and
 * carriage return; no DEL or C1 control; no lone UTF-16 surrogate or U+FFFE/U+FFFF. NUL and
 * lone surrogates cannot be stored by PostgreSQL at all; the others (ESC among them) would
 * end up in staff terminals, CSV files and mails. Nor the bidirectional embeddings, overrides
 * and isolates (U+202A–U+202E, U+2066–U+2069): they make "rapport\u202Egpj.txt" read as
 * "rapporttxt.jpg" on every screen that shows it.
 */
const FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LINE_CHARS = /[\t\r\n]/;

/** True when `s` holds a character no input may hold; tab and line breaks only when `multiline`. */
export function hasForbiddenChars(s: string, multiline: boolean): boolean {
  return FORBIDDEN.test(s) || (!multiline && LINE_CHARS.test(s));
}

/**
 * Form fields that are multi-line (a `<textarea>`): only these keep tabs and line breaks; in
 * every other field they become a space at the edge (browsers send none from an `<input>`,
 * but a pasted tab or a forged request can). A new textarea adds its field name here.
 */
export const MULTILINE_FIELDS: ReadonlySet<string> = new Set([
  'description',
  'body',
  'answer',
  'text',
  'message',
  'note',
]);

/**
 * The edge's rule for one posted field, whatever the form's encoding: tabs and line breaks of a
 * single-line field become a space; null when the name or value holds a forbidden character.
 */
export function edgeField(key: string, value: string): string | null {
  const v = MULTILINE_FIELDS.has(key) ? value : toOneLine(value);
  return hasForbiddenChars(key, false) || hasForbiddenChars(v, true) ? null : v;
}

/**
 * What is left of a refused value (see edgeField) to show the person again: the same line rule,
 * every forbidden character removed. It is shown, never saved: the form says what was wrong.
 */
export function cleanField(key: string, value: string): string {
  const v = MULTILINE_FIELDS.has(key) ? value : toOneLine(value);
  return v.replace(new RegExp(FORBIDDEN.source, 'g'), '');
}

/**
 * Text safe to print on a terminal: every forbidden character (ESC among them, which could
 * recolour or rewrite a staff member's screen) shown as a visible `\u{1b}` escape.
 */
export function printable(s: string): string {
  return s.replace(new RegExp(FORBIDDEN.source, 'g'), (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/** Removes line breaks and tabs from a single-line value (one space for a run of them). */
export function toOneLine(s: string): string {
  return s.replace(/[\t\r\n]+/g, ' ');
}

/**
 * A single-line text field of at most `max` characters, trimmed. Its `maxLength` is what the
 * form's `maxlength` shows (see maxLengths), so the page and the check cannot disagree.
 */
export function line(max: number, tooLong = 'validation.tooLong') {
  return z
    .string()
    .trim()
    .max(max, tooLong)
    .refine((v) => !hasForbiddenChars(v, false), 'validation.controlChars');
}

/** A multi-line text field (a textarea): CRLF becomes LF, tabs and line breaks are kept. */
export function multiline(max: number, tooLong = 'validation.tooLong') {
  return z
    .string()
    .transform((v) => v.replace(/\r\n?/g, '\n').trim())
    .pipe(
      z
        .string()
        .max(max, tooLong)
        .refine((v) => !hasForbiddenChars(v, true), 'validation.controlChars'),
    );
}

/** The largest length a zod field accepts (looking through optional, pipe and transform), or undefined. */
export function maxLengthOf(schema: z.ZodType): number | undefined {
  const def = (
    schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType } } }
  )._zod.def;
  if (def.type === 'string') return (schema as z.ZodString).maxLength ?? undefined;
  if (def.type === 'pipe') return maxLengthOf(def.in!) ?? maxLengthOf(def.out!);
  if (def.innerType) return maxLengthOf(def.innerType);
  return undefined;
}

/** `{ field: maxlength }` of a form schema, for the template's `maxlength` attributes. */
export function maxLengths(schema: z.ZodObject): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    const max = maxLengthOf(field as z.ZodType);
    if (max !== undefined) out[name] = max;
  }
  return out;
}
