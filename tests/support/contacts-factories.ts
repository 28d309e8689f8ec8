import type { PrismaClient } from '../../src/db/client.js';

/**
 * A large customer: one organisation with `subsidiaries` subsidiaries and `contacts` contacts
 * spread over them, inserted with one INSERT ... SELECT generate_series, then VACUUM ANALYZE
 * (what autovacuum does to a real table). Returns the ids.
 */
export async function makeLargeCustomer(
  prisma: PrismaClient,
  opts: { subsidiaries: number; contacts: number; name?: string },
) {
  const root = await prisma.organization.create({ data: { name: opts.name ?? 'Groot Zorgconcern' } });
  await prisma.$executeRaw`
    INSERT INTO organizations (parent_id, name, active, updated_at)
    SELECT ${root.id}, 'Vestiging ' || lpad(g::text, 3, '0'), g % 17 <> 0, now() FROM generate_series(1, ${opts.subsidiaries}) g`;
  const orgIds = (
    await prisma.organization.findMany({
      where: { OR: [{ id: root.id }, { parentId: root.id }] },
      select: { id: true },
      orderBy: { id: 'asc' },
    })
  ).map((o) => o.id);
  await prisma.$executeRaw`
    INSERT INTO contacts (organization_id, last_name, first_name, infix, gender, email, phone, mobile, private_city, private_postcode, active, web_access, updated_at)
    SELECT (${orgIds}::int[])[1 + g % ${orgIds.length}],
           (ARRAY['Jansen','de Vries','Bakker','Visser','Smit','Meijer','de Boer','Mulder','de Groot','Bos'])[1 + g % 10] || ' ' || g,
           (ARRAY['Anna','Bram','Cor','Daan','Eva','Fleur','Gijs','Hanna','Ilse','Joost'])[1 + (g / 10) % 10],
           CASE WHEN g % 7 = 0 THEN 'van' END,
           (ARRAY['MALE','FEMALE','OTHER']::gender[])[1 + g % 3],
           CASE WHEN g % 5 <> 0 THEN 'persoon' || g || '@org' || ${root.id} || '.nl' END,
           '053' || lpad((g % 10000000)::text, 7, '0'),
           CASE WHEN g % 2 = 0 THEN '06' || lpad(g::text, 8, '0') END,
           (ARRAY['Enschede','Hengelo','Almelo','Zwolle'])[1 + g % 4],
           (7500 + g % 400)::text || ' AB',
           g % 11 <> 0, g % 3 = 0, now()
    FROM generate_series(1, ${opts.contacts}) g`;
  await prisma.$executeRawUnsafe('VACUUM ANALYZE contacts');
  await prisma.$executeRawUnsafe('VACUUM ANALYZE organizations');
  return { rootId: root.id, orgIds };
}

/** The contacts "Toevoegen" form as the browser posts it (every field, empty where not typed); `over` changes some. */
export function contactFormBody(organizationId: number, email: string, over: Record<string, string> = {}) {
  return {
    lastName: 'Probe',
    organizationId: String(organizationId),
    firstName: '',
    initials: '',
    infix: '',
    gender: '',
    birthDate: '',
    active: 'yes',
    subscribeUpdate: 'yes',
    subscribeCare: 'no',
    subscribeBusiness: 'no',
    subscribeFlash: 'no',
    email,
    phone: '',
    fax: '',
    mobile: '',
    privateStreet: '',
    privatePostcode: '',
    privateCity: '',
    privateCountry: '',
    webAccess: 'no',
    ...over,
  };
}
