import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/db/client.js';
import { hashPassword } from '../../src/auth/passwords.js';
import type { Role } from '../../src/auth/roles.js';

/** A password every factory person gets unless told otherwise. */
export const PASSWORD = 'correct horse battery staple';
let cachedHash: Promise<string> | undefined;

const uid = () => randomBytes(4).toString('hex');
let kvkSeq = 30_000_000;

/** A new organisation (its own tenant), optionally below a parent. */
export async function makeOrg(
  prisma: PrismaClient,
  over: { name?: string; parentId?: number; active?: boolean; reportsInContract?: boolean } = {},
) {
  kvkSeq += 1;
  return prisma.organization.create({
    data: {
      name: over.name ?? `Huisartsenpost ${uid()}`,
      parentId: over.parentId ?? null,
      active: over.active ?? true,
      reportsInContract: over.reportsInContract ?? false,
      postalStreet: 'Pantheon 2',
      postalPostcode: '7521 PR',
      postalCity: 'Enschede',
      postalCountry: 'Nederland',
      phone: '0884800900',
      // A KvK number, so the organisation's e-invoices have a buyer endpoint (PEPPOL-EN16931-R010).
      kvkNumber: String(kvkSeq),
    },
  });
}

/** A person who can log in (web access, password, PORTAL_ACCESS) unless told otherwise. */
export async function makePerson(
  prisma: PrismaClient,
  orgId: number,
  over: {
    roles?: Role[];
    main?: boolean;
    webAccess?: boolean;
    active?: boolean;
    email?: string | null;
    password?: string | null;
    firstName?: string;
    lastName?: string;
  } = {},
) {
  const email = over.email === undefined ? `p.${uid()}@example.nl` : over.email;
  const password = over.password === undefined ? PASSWORD : over.password;
  const passwordHash =
    password === null
      ? null
      : password === PASSWORD
        ? await (cachedHash ??= hashPassword(PASSWORD))
        : await hashPassword(password);
  const roles = [...new Set<Role>(over.roles ?? ['PORTAL_ACCESS'])];
  const contact = await prisma.contact.create({
    data: {
      organizationId: orgId,
      firstName: over.firstName ?? 'Test',
      lastName: over.lastName ?? `Persoon ${uid()}`,
      email,
      webAccess: over.webAccess ?? true,
      active: over.active ?? true,
      passwordHash,
      roles: { create: roles.map((role) => ({ role })) },
    },
  });
  if (over.main) await prisma.organization.update({ where: { id: orgId }, data: { mainContactId: contact.id } });
  return { ...contact, password: password ?? '' };
}
