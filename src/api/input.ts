import { hasForbiddenChars } from '../http/text.js';
import { pointer, type FieldProblem } from './problem.js';

/**
 * The portal's one rule for characters (src/http/text.ts), applied to the API's input, which
 * does not pass the web edge: no control character but tab and line breaks, no lone surrogate.
 * Returns a problem per offending value or key, with its pointer. `multiline`: whether string
 * values may hold tabs and line breaks (JSON bodies: answers and texts do; query values do not).
 */
export function forbiddenChars(value: unknown, path: readonly PropertyKey[], multiline: boolean): FieldProblem[] {
  if (typeof value === 'string')
    return hasForbiddenChars(value, multiline)
      ? [{ pointer: pointer(path), detail: 'holds a control character; PIM stores none' }]
      : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => forbiddenChars(v, [...path, i], multiline));
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.entries(value).flatMap(([k, v]) =>
      hasForbiddenChars(k, false)
        ? [{ pointer: pointer([...path, k]), detail: 'the name holds a control character' }]
        : forbiddenChars(v, [...path, k], multiline),
    );
  }
  return [];
}
