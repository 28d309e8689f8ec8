// The part of node-schematron the Peppol tests use, mapped in tsconfig.json's `paths`. The package's
// own types pull in fontoxpath's `/// <reference lib="dom" />`, which swaps Node's fetch types for
// the DOM's in the whole program (src/features/sso/providers.ts stops compiling).

/** One assertion or report that fired. */
export interface SchematronResult {
  isReport: boolean;
  assertId: string | null;
  message: string | null;
}
/** A compiled Schematron schema. */
export declare class Schema {
  static fromString(text: string): Schema;
  validateString(xml: string): SchematronResult[];
}
/** Registers an XPath function (fontoxpath's registerCustomXPathFunction). */
export declare function registerCustomXPathFunction(
  name: { namespaceURI: string; localName: string },
  signature: string[],
  returnType: string,
  callback: (...args: never[]) => unknown,
): void;
