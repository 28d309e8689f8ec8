/**
 * Invoice arithmetic in whole units (cents, thousandths of a quantity, hundredths of a VAT
 * percent) with BigInt: never a float between the database's DECIMAL and the printed amount.
 */

/** Parses a decimal string ("-12.5", "1234,56") into an integer scaled by 10^scale; null when it has more decimals. */
export function toUnits(value: string | { toString(): string }, scale: number): bigint | null {
  const m = /^(-?)(\d+)(?:[.,](\d+))?$/.exec(String(value).trim());
  if (!m) return null;
  const [, sign, whole, frac = ''] = m;
  const trimmed = frac.replace(/0+$/, '');
  if (trimmed.length > scale) return null;
  const n = BigInt(whole! + frac.padEnd(scale, '0').slice(0, Math.max(scale, 0)));
  return sign === '-' ? -n : n;
}

/** Writes a scaled integer back as a decimal string ("1234.56"), for Prisma's Decimal columns. */
export function fromUnits(units: bigint, scale: number): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const s = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${s}` : s;
}

/** a / b rounded half away from zero (commercial rounding). */
export function divRound(a: bigint, b: bigint): bigint {
  const neg = a < 0n !== b < 0n;
  const [x, y] = [a < 0n ? -a : a, b < 0n ? -b : b];
  const q = (x * 2n + y) / (y * 2n);
  return neg ? -q : q;
}

/** A line's amount excl. VAT in cents: quantity (thousandths) × unit price (cents). */
export function lineAmountCents(quantityMilli: bigint, unitPriceCents: bigint): bigint {
  return divRound(quantityMilli * unitPriceCents, 1000n);
}

/** VAT in cents on `baseCents` at `rateHundredths` (21% = 2100). */
export function vatCents(baseCents: bigint, rateHundredths: bigint): bigint {
  return divRound(baseCents * rateHundredths, 10000n);
}

/** One invoice line in units. */
export interface LineUnits {
  amountCents: bigint;
  vatRateHundredths: bigint;
}

/** The totals of an invoice: excl. VAT, VAT per rate (on the sum of that rate's lines), incl. VAT. */
export interface InvoiceTotals {
  exclCents: bigint;
  vatByRate: { rateHundredths: bigint; baseCents: bigint; vatCents: bigint }[];
  vatCents: bigint;
  inclCents: bigint;
}

/** Adds up lines into the invoice's totals; VAT is computed per rate, then summed. */
export function invoiceTotals(lines: readonly LineUnits[]): InvoiceTotals {
  const byRate = new Map<bigint, bigint>();
  let exclCents = 0n;
  for (const l of lines) {
    exclCents += l.amountCents;
    byRate.set(l.vatRateHundredths, (byRate.get(l.vatRateHundredths) ?? 0n) + l.amountCents);
  }
  const vatByRate = [...byRate.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([rateHundredths, baseCents]) => ({
      rateHundredths,
      baseCents,
      vatCents: vatCents(baseCents, rateHundredths),
    }));
  const vat = vatByRate.reduce((s, r) => s + r.vatCents, 0n);
  return { exclCents, vatByRate, vatCents: vat, inclCents: exclCents + vat };
}

/** The largest amount a DECIMAL(12,2) column holds, in cents. */
export const MAX_CENTS = 10n ** 12n - 1n;

/** "€ 1.234,56": the Dutch format, built from the integer (no float on the way). */
export function formatCents(cents: bigint): string {
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  const euros = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const c = (abs % 100n).toString().padStart(2, '0');
  return `€ ${neg ? '-' : ''}${euros},${c}`;
}

/** "21%" or "9%" or "5,5%" from hundredths of a percent. */
export function formatRate(rateHundredths: bigint): string {
  return `${fromUnits(rateHundredths, 2)
    .replace(/\.?0+$/, '')
    .replace('.', ',')}%`;
}

/** "1", "2,5" from thousandths. */
export function formatQuantity(milli: bigint): string {
  return (
    fromUnits(milli, 3)
      .replace(/\.?0+$/, '')
      .replace('.', ',') || '0'
  );
}

/** "1234,56" for a CSV cell that Dutch Excel reads as a number. */
export function csvAmount(cents: bigint): string {
  return fromUnits(cents, 2).replace('.', ',');
}
