import { toUnits } from './money.js';

/**
 * Who the buyer is on an e-invoice, and whether an e-invoice can be valid at all: the rules of
 * Peppol BIS Billing 3.0 (release 3.0.19) and its Dutch rules (NL-R-*, from NLCIUS) that depend on
 * data PIM keeps about the customer. An e-invoice that would break one is not offered: the page
 * says why instead, and the download answers 409.
 */

/** Peppol BIS Billing 3.0 (EN 16931 compliant; its NL-R-* rules carry NLCIUS for Peppol). */
export const PEPPOL_CUSTOMIZATION_ID = 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
/** NLCIUS (SI-UBL 2.0), for Dutch government customers who ask for it. */
export const NLCIUS_CUSTOMIZATION_ID = 'urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0';
/** Peppol's billing process (also what SI-UBL 2.0 uses). */
export const PROFILE_ID = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

/** What an e-invoice needs of the customer organisation. */
export interface EinvoiceBuyer {
  postalStreet: string | null;
  postalPostcode: string | null;
  postalCity: string | null;
  kvkNumber: string | null;
  oin: string | null;
  peppolId: string | null;
  einvoiceNlcius: boolean;
}

/** An identifier with its ISO 6523 / EAS scheme, as UBL writes it (`schemeID`). */
export interface SchemedId {
  scheme: string;
  id: string;
}

/** The buyer's legal registration (BT-47): its OIN (0190) for a public body, else its KvK number (0106). */
export function buyerLegalId(o: Pick<EinvoiceBuyer, 'kvkNumber' | 'oin'>): SchemedId | null {
  if (o.oin) return { scheme: '0190', id: o.oin };
  if (o.kvkNumber) return { scheme: '0106', id: o.kvkNumber };
  return null;
}

/**
 * The buyer's electronic address (BT-49, PEPPOL-EN16931-R010): its Peppol participant id when
 * known, else its OIN or KvK number; never an e-mail address (scheme EM is no Peppol scheme).
 */
export function buyerEndpoint(o: Pick<EinvoiceBuyer, 'kvkNumber' | 'oin' | 'peppolId'>): SchemedId | null {
  if (o.peppolId) {
    const at = o.peppolId.indexOf(':');
    return { scheme: o.peppolId.slice(0, at), id: o.peppolId.slice(at + 1) };
  }
  return buyerLegalId(o);
}

/** Why an e-invoice cannot be valid; each has its sentence (invoices.einvoice.<problem>) on the invoice page. */
export type EinvoiceProblem = 'address' | 'endpoint' | 'creditReference' | 'nlciusId';

/** An invoice as far as its e-invoice's validity depends on stored data. */
export interface EinvoiceCandidate {
  amountExclVat: { toString(): string };
  vatAmount: { toString(): string };
  creditedInvoiceId: number | null;
  organization: EinvoiceBuyer;
}

/** The problems that keep an invoice from a valid e-invoice (empty: it can be offered). */
export function einvoiceProblems(inv: EinvoiceCandidate): EinvoiceProblem[] {
  const o = inv.organization;
  const problems: EinvoiceProblem[] = [];
  // NL-R-004 (for a Dutch customer; asked of every customer: an address without street is no address).
  if (!o.postalStreet?.trim() || !o.postalCity?.trim() || !o.postalPostcode?.trim()) problems.push('address');
  if (!buyerEndpoint(o)) problems.push('endpoint');
  const total = (toUnits(inv.amountExclVat.toString(), 2) ?? 0n) + (toUnits(inv.vatAmount.toString(), 2) ?? 0n);
  if (total < 0n && inv.creditedInvoiceId === null) problems.push('creditReference');
  if (o.einvoiceNlcius && !buyerLegalId(o)) problems.push('nlciusId');
  return problems;
}
