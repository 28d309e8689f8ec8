import fc from 'fast-check';

/** A JSON Schema node of the OpenAPI document. */
export type Schema = Record<string, unknown>;

/**
 * Values some fields should often take to get past the first refusal (an organisation that exists, an e-mail
 * address, a decimal as the ERP sends it): by property name, each mixed with what the schema alone gives.
 */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

const day = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const instant = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** Follows `$ref`s into the document's components. */
export function resolve(schema: Schema, components: Schema): Schema {
  const ref = schema.$ref;
  return typeof ref === 'string'
    ? resolve(components[ref.replace('#/components/schemas/', '')] as Schema, components)
    : schema;
}

/** Values a JSON Schema accepts (the shape; the domain's own rules may still refuse them). */
export function valid(schema: Schema, components: Schema, hints: Hints = {}, name = ''): fc.Arbitrary<unknown> {
  const s = resolve(schema, components);
  const own = ownValues(s, components, hints);
  const hint = hints[name];
  return hint ? fc.oneof({ arbitrary: hint, weight: 5 }, { arbitrary: own, weight: 1 }) : own;
}

function ownValues(s: Schema, components: Schema, hints: Hints): fc.Arbitrary<unknown> {
  if (Array.isArray(s.anyOf)) return fc.oneof(...(s.anyOf as Schema[]).map((b) => valid(b, components, hints)));
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if ('const' in s) return fc.constant(s.const);
  const num = (k: string, d: number) => (typeof s[k] === 'number' ? s[k] : d);
  switch (s.type) {
    case 'string': {
      if (s.format === 'date') return day;
      if (s.format === 'date-time') return instant;
      if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern));
      const minLength = num('minLength', 0);
      return fc.string({ minLength, maxLength: Math.min(num('maxLength', 40), Math.max(minLength, 40)) });
    }
    case 'integer':
      return fc.integer({ min: num('minimum', -(2 ** 31)), max: num('maximum', 2 ** 31 - 1) });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valid((s.items ?? {}) as Schema, components, hints), {
        minLength: num('minItems', 0),
        maxLength: Math.min(num('maxItems', 3), 3),
      });
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const required = (s.required ?? []) as string[];
      return fc.record(Object.fromEntries(Object.entries(props).map(([k, p]) => [k, valid(p, components, hints, k)])), {
        requiredKeys: required,
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values every API must refuse cleanly: the wrong type, past PostgreSQL's integer, empty, long, odd text. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    2_147_483_648,
    -2_147_483_649,
    9_007_199_254_740_992,
    1e308,
    -1,
    0,
    1.5,
    '',
    ' ',
    'x'.repeat(20_001),
    null,
    true,
    [],
    {},
    '2026-02-30',
    '9999-99-99T99:99',
    '\u0000',
    '\u202e',
    '😀',
    '../../etc/passwd',
    "'; DROP TABLE contacts; --",
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

/**
 * Values a JSON Schema refuses, or that sit at its edges: a valid value with one field replaced by a hostile
 * value, one required field left out or one unknown field added; or any JSON at all.
 */
export function invalid(schema: Schema, components: Schema, hints: Hints = {}): fc.Arbitrary<unknown> {
  const s = resolve(schema, components);
  const required = (s.required ?? []) as string[];
  const keys = Object.keys(s.properties ?? {});
  const mutated = fc
    .tuple(valid(s, components, hints), fc.constantFrom(...keys, 'unknownField'), hostile, fc.nat(2))
    .map(([v, key, bad, how]) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return bad;
      const out = { ...(v as Schema) };
      if (how === 0 && required.length) delete out[required[key.length % required.length]!];
      else out[key] = bad;
      return out;
    });
  return fc.oneof({ arbitrary: mutated, weight: 4 }, { arbitrary: hostile, weight: 1 });
}
