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

type Json = Record<string, unknown>;

/** PostgreSQL's `integer` (int4), the type of every id and count PIM stores: no integer the API takes is larger. */
export const INT_RANGE = { min: -2_147_483_648, max: 2_147_483_647 } as const;

/**
 * A JSON Schema node of type integer with its bounds narrowed to PostgreSQL's integer (tighter bounds stay), so the
 * OpenAPI document states the range the input layer enforces (`rangeProblems`).
 */
export function boundInteger(node: Json): Json {
  if (node.type !== 'integer') return node;
  const min = typeof node.minimum === 'number' ? node.minimum : INT_RANGE.min;
  const max = typeof node.maximum === 'number' ? node.maximum : INT_RANGE.max;
  return { ...node, minimum: Math.max(min, INT_RANGE.min), maximum: Math.min(max, INT_RANGE.max) };
}

/** Follows a `$ref` into the document's components (`#/components/schemas/Name`). */
function resolve(schema: Json, components: Json): Json {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  return resolve((components[ref.replace('#/components/schemas/', '')] ?? {}) as Json, components);
}

/**
 * The integers of a value outside the bounds its JSON Schema (from the OpenAPI document) gives them, each with its
 * pointer. zod checks the rest of the shape; this keeps a number PostgreSQL cannot hold from reaching the database
 * (where it was a 500). `fromText`: path and query values, which arrive as text.
 */
export function rangeProblems(
  schema: Json | undefined,
  value: unknown,
  path: readonly PropertyKey[],
  components: Json,
  fromText = false,
): FieldProblem[] {
  if (!schema) return [];
  const s = resolve(schema, components);
  const branches = [s, ...[s.anyOf, s.oneOf, s.allOf].flatMap((b) => (Array.isArray(b) ? (b as Json[]) : []))]
    .map((b) => resolve(b, components))
    .filter((b) => b !== s || !(s.anyOf || s.oneOf || s.allOf));
  const n = typeof value === 'string' && fromText && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n === 'number') {
    const ints = branches.filter((b) => b.type === 'integer');
    if (!ints.length || !Number.isInteger(n)) return [];
    const fits = ints.some(
      (b) => (typeof b.minimum !== 'number' || n >= b.minimum) && (typeof b.maximum !== 'number' || n <= b.maximum),
    );
    if (fits) return [];
    const { minimum = INT_RANGE.min, maximum = INT_RANGE.max } = ints[0]!;
    return [{ pointer: pointer(path), detail: `must be an integer from ${String(minimum)} to ${String(maximum)}` }];
  }
  if (Array.isArray(value)) {
    const list = branches.find((b) => b.type === 'array');
    return list ? value.flatMap((v, i) => rangeProblems(list.items as Json, v, [...path, i], components)) : [];
  }
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const obj = branches.find((b) => b.type === 'object' || b.properties);
    if (!obj) return [];
    const props = (obj.properties ?? {}) as Record<string, Json>;
    const extra = typeof obj.additionalProperties === 'object' ? (obj.additionalProperties as Json) : undefined;
    return Object.entries(value).flatMap(([k, v]) =>
      rangeProblems(Object.hasOwn(props, k) ? props[k] : extra, v, [...path, k], components, fromText),
    );
  }
  return [];
}

/** How deep a parsed JSON body nests, counted without recursion, stopping once past `limit`. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length; depth++) {
    if (depth > limit) return true;
    const next: unknown[] = [];
    for (const v of level) if (v && typeof v === 'object') for (const child of Object.values(v)) next.push(child);
    level = next;
  }
  return false;
}
