import { readFileSync } from 'node:fs';
import path from 'node:path';
import { registerCustomXPathFunction, Schema } from 'node-schematron';

/**
 * The official Schematron rules of Peppol BIS Billing 3.0 (./peppol, see its SOURCE): the EN 16931
 * rules bound to UBL (CEN-EN16931-UBL.sch) and Peppol's own with the Dutch NL-R-* rules
 * (PEPPOL-EN16931-UBL.sch), run with node-schematron (XPath 3.1 through fontoxpath).
 */

const DIR = path.resolve(import.meta.dirname, 'peppol');
const FILES = { cen: 'CEN-EN16931-UBL.sch', peppol: 'PEPPOL-EN16931-UBL.sch' } as const;
type RuleSet = keyof typeof FILES;

// Peppol's rules call XSLT functions the .sch defines as xsl:function, which node-schematron
// cannot run: the ones our documents reach are supplied here with the same semantics.
const UTILS = 'utils';
/** A number as an exact count of millionths (amounts have at most 2 decimals, quantities 3). */
const micro = (v: unknown): bigint => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`u:slack: not a number: ${String(v)}`);
  return BigInt(Math.round(n * 1e6));
};
// u:slack(exp, val, slack): xs:decimal($exp + $slack) >= $val and xs:decimal($exp - $slack) <= $val.
// node-schematron hands <let> values over as JavaScript numbers (xs:double), so the parameters take
// any atomic value and the comparison is made exact in millionths, as xs:decimal would.
registerCustomXPathFunction(
  { namespaceURI: UTILS, localName: 'slack' },
  ['xs:anyAtomicType?', 'xs:anyAtomicType?', 'xs:anyAtomicType?'],
  'xs:boolean',
  (_dom: unknown, exp: unknown, val: unknown, slack: unknown) => {
    const [e, v, s] = [micro(exp), micro(val), micro(slack)];
    return e + s >= v && e - s <= v;
  },
);
// u:gln(val): the GS1 check digit of a GLN (scheme 0088, common for Dutch healthcare participants).
registerCustomXPathFunction(
  { namespaceURI: UTILS, localName: 'gln' },
  ['xs:anyAtomicType?'],
  'xs:boolean',
  (_dom: unknown, val: unknown) => {
    const s = typeof val === 'string' || typeof val === 'number' ? String(val) : '';
    const body = [...s.slice(0, -1)].map((c) => c.charCodeAt(0) - 48).reverse();
    const sum = body.reduce((acc, d, i) => acc + d * (i % 2 === 0 ? 3 : 1), 0);
    return (10 - (sum % 10)) % 10 === Number(s.slice(-1));
  },
);

const schemas = new Map<RuleSet, { schema: Schema; flags: Map<string, string> }>();
function load(set: RuleSet) {
  let loaded = schemas.get(set);
  if (!loaded) {
    const text = readFileSync(path.join(DIR, FILES[set]), 'utf8');
    const flags = new Map<string, string>();
    for (const [, attrs] of text.matchAll(/<assert\b([^>]*)>/g)) {
      const id = /\bid="([^"]+)"/.exec(attrs!)?.[1];
      const flag = /\bflag="([^"]+)"/.exec(attrs!)?.[1];
      if (id && flag && flags.get(id) !== 'fatal') flags.set(id, flag);
    }
    loaded = { schema: Schema.fromString(text), flags };
    schemas.set(set, loaded);
  }
  return loaded;
}

/** The rules that fired, as "RULE-ID: its text", with the given flag (fatal by default). */
function fired(set: RuleSet, xml: string, flag: string): string[] {
  const { schema, flags } = load(set);
  return schema
    .validateString(xml)
    .filter((r) => !r.isReport && flags.get(r.assertId ?? '') === flag)
    .map((r) => `${r.assertId}: ${(r.message ?? '').replace(/\s+/g, ' ').trim()}`);
}

/**
 * The fatal rules a document breaks. `peppol`: EN 16931 and every Peppol BIS Billing 3.0 rule (as
 * an access point checks); `nlcius`: EN 16931 and the Dutch NL-R-* rules inside the Peppol file
 * (an NLCIUS document carries NLCIUS's CustomizationID, which Peppol's own R004 refuses by design).
 */
export function schematronErrors(xml: string, profile: 'peppol' | 'nlcius' = 'peppol'): string[] {
  const peppol = fired('peppol', xml, 'fatal');
  return [
    ...fired('cen', xml, 'fatal'),
    ...(profile === 'peppol' ? peppol : peppol.filter((e) => e.startsWith('NL-R-'))),
  ];
}

/** The fatal rules of one of the two files that fire (a test that needs only one file saves the other's time). */
export function fatalRulesOf(set: RuleSet, xml: string): string[] {
  return fired(set, xml, 'fatal');
}

/** The warnings (not refusals) both files raise, for a test to show. */
export function schematronWarnings(xml: string): string[] {
  return [...fired('cen', xml, 'warning'), ...fired('peppol', xml, 'warning')];
}
