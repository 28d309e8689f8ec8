import type { PrismaClient, Tx } from '../db/client.js';
import { openSecret } from './secret-box.js';
import { log } from '../log.js';
import { totpStep } from './totp.js';
import { hashRecoveryCode, normaliseRecoveryCode } from './recovery-codes.js';

type Db = PrismaClient | Tx;

/** What second step a person has set up, and whether their organisation (or a parent) requires one. */
export interface SecondStep {
  totp: boolean;
  passkeys: number;
  recoveryLeft: number;
  required: boolean;
}

/**
 * The person's second steps as `secondStepOf` reads them, with the person's row locked until the
 * transaction ends: two removals at once (the app off here, the last passkey there) each see the
 * other step still present unless they run one after the other.
 */
export async function lockedSecondStepOf(tx: Tx, contactId: number): Promise<SecondStep> {
  await tx.$queryRaw`SELECT 1 FROM contacts WHERE id = ${contactId} FOR UPDATE`;
  return secondStepOf(tx, contactId);
}

/** The person's second step in one query (the organisation chain is walked upwards). */
export async function secondStepOf(db: Db, contactId: number): Promise<SecondStep> {
  const [row] = await db.$queryRawUnsafe<
    { required: boolean; totp: boolean; passkeys: number; recovery_left: number }[]
  >(
    `WITH RECURSIVE up AS (
       SELECT o.id, o.parent_id, o.two_factor_required FROM organizations o JOIN contacts c ON c.organization_id = o.id WHERE c.id = $1
       UNION
       SELECT p.id, p.parent_id, p.two_factor_required FROM organizations p JOIN up ON p.id = up.parent_id
     )
     SELECT EXISTS (SELECT 1 FROM up WHERE two_factor_required) AS required,
            EXISTS (SELECT 1 FROM totp_secrets WHERE contact_id = $1 AND confirmed_at IS NOT NULL) AS totp,
            (SELECT count(*) FROM passkeys WHERE contact_id = $1)::int AS passkeys,
            (SELECT count(*) FROM recovery_codes WHERE contact_id = $1 AND used_at IS NULL)::int AS recovery_left`,
    contactId,
  );
  return {
    required: !!row?.required,
    totp: !!row?.totp,
    passkeys: row?.passkeys ?? 0,
    recoveryLeft: row?.recovery_left ?? 0,
  };
}

/** The associated data of a person's sealed TOTP secret. */
export const totpContext = (contactId: number) => `totp|${contactId}`;

/**
 * Checks an authenticator-app code and spends its step, so the same code (or an earlier one)
 * is refused afterwards, on every instance: the UPDATE only succeeds for a later step.
 * `confirmed` false checks the secret being set up instead of the active one.
 */
export async function useTotpCode(
  db: Db,
  key: Buffer,
  contactId: number,
  code: string,
  now: Date,
  confirmed = true,
): Promise<boolean> {
  const row = await db.totpSecret.findUnique({
    where: { contactId },
    select: { secretEncrypted: true, confirmedAt: true },
  });
  if (!row || (confirmed ? !row.confirmedAt : !!row.confirmedAt)) return false;
  let secret: string;
  try {
    secret = openSecret(key, row.secretEncrypted, totpContext(contactId));
  } catch {
    // A wrong TWO_FACTOR_KEY: no code can be right (recovery codes and passkeys still work).
    log.error(
      `the authenticator-app secret of contact ${contactId} does not open: is TWO_FACTOR_KEY the key it was sealed with?`,
    );
    return false;
  }
  const step = totpStep(secret, code.replace(/\s/g, ''), now);
  if (step === null) return false;
  const n = await db.$executeRaw`
    UPDATE totp_secrets SET last_step = ${BigInt(step)}
    WHERE contact_id = ${contactId} AND (last_step IS NULL OR last_step < ${BigInt(step)})`;
  return n === 1;
}

/** Spends a recovery code of the person; false when it is not one of their unused codes. */
export async function useRecoveryCode(db: Db, contactId: number, input: string, now: Date): Promise<boolean> {
  const code = normaliseRecoveryCode(input);
  if (!code) return false;
  const spent = await db.recoveryCode.updateMany({
    where: { contactId, codeHash: hashRecoveryCode(code), usedAt: null },
    data: { usedAt: now },
  });
  return spent.count === 1;
}

/** A code typed at the second step: six digits are an app code, anything else a recovery code. */
export async function useSecondStepCode(
  db: Db,
  key: Buffer,
  contactId: number,
  input: string,
  now: Date,
): Promise<'totp' | 'recovery' | null> {
  const compact = input.replace(/\s/g, '');
  if (/^\d{6}$/.test(compact)) return (await useTotpCode(db, key, contactId, compact, now)) ? 'totp' : null;
  return (await useRecoveryCode(db, contactId, input, now)) ? 'recovery' : null;
}
