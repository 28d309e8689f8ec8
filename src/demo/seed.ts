import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/client.js';
import { createStorage, type FileStorage } from '../storage/index.js';
import { bufferStream } from '../storage/streams.js';
import { ensureApplications } from '../db/applications.js';
import { buildDemoPdf } from './pdf.js';
import { demoCalendar, isoWeek } from './dates.js';
import { hashPassword } from '../auth/passwords.js';
import { ROLES, Role } from '../auth/roles.js';
import { recordAudit, type AuditActor } from '../audit.js';

/** The demo login's password (the manual's Jan Jansen, j.jansen@vtel.nl). */
export const DEMO_PASSWORD = 'welkom-bij-pim';

/** The demo login's username. */
export const DEMO_LOGIN = 'j.jansen@vtel.nl';

/** The demo organisation's name, as in the manual. */
export const DEMO_ORGANIZATION = 'Demo Pim (Persoonlijke Informatie Manager)';

/** Key for the transaction-scoped advisory lock that keeps two seeders from both loading. */
const SEED_LOCK = 72707370;

const PHONE = '0884800900';

/**
 * Loads the manual's demo data when the database has no organisations; otherwise does
 * nothing. Everything is written in one transaction: the demo is there completely or not at all.
 * Its dates are relative to `now` (demo-dates.ts), so a first visit shows the portal at work.
 * The documents' files go to `storage` (default: the PostgreSQL store); when loading fails they
 * are deleted again.
 */
export async function seedDemo(
  prisma: PrismaClient,
  actor: AuditActor = 'system',
  now: Date = new Date(),
  storage: FileStorage = createStorage(undefined, prisma),
): Promise<{ loaded: boolean }> {
  const cal = demoCalendar(now);
  // Hash outside the transaction: argon2 takes a while and needs no database.
  const janHash = await hashPassword(DEMO_PASSWORD);
  const stored: string[] = [];
  return prisma
    .$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SEED_LOCK})`;
        if ((await tx.organization.count()) > 0) return { loaded: false };

        const appIds = await ensureApplications(tx);

        const org = await tx.organization.create({
          data: {
            name: DEMO_ORGANIZATION,
            postalStreet: 'Pantheon 2',
            postalPostcode: '7521 PR',
            postalCity: 'Enschede',
            postalCountry: 'Nederland',
            visitStreet: 'Pantheon 2',
            visitPostcode: '7521 PR',
            visitCity: 'Enschede',
            visitCountry: 'Nederland',
            phone: PHONE,
            fax: '0884800909',
            email: 'support@vtel.nl',
            reportsInContract: true,
            // A (fictitious) KvK number: the buyer's endpoint and legal id on its e-invoices.
            kvkNumber: '08123456',
          },
        });
        const sub = await tx.organization.create({
          data: {
            name: `${DEMO_ORGANIZATION} Dochter`,
            parentId: org.id,
            // An address and KvK number of its own, so its e-invoices are valid too (NL-R-004, PEPPOL-EN16931-R010).
            postalStreet: 'Hengelosestraat 500',
            postalPostcode: '7521 AN',
            postalCity: 'Enschede',
            postalCountry: 'Nederland',
            visitStreet: 'Hengelosestraat 500',
            visitPostcode: '7521 AN',
            visitCity: 'Enschede',
            visitCountry: 'Nederland',
            kvkNumber: '08123457',
          },
        });

        const contact = (data: {
          firstName: string;
          infix?: string;
          lastName: string;
          gender: 'MALE' | 'FEMALE';
          email: string;
          mobile?: string;
        }) =>
          tx.contact.create({
            data: {
              organizationId: org.id,
              initials: data.firstName[0],
              phone: PHONE,
              privateCountry: 'Nederland',
              ...data,
            },
          });

        const henk = await contact({
          firstName: 'Henk',
          lastName: 'Bakker',
          gender: 'MALE',
          email: 'h.bakker@vtel.nl',
          mobile: '0622334455',
        });
        await contact({ firstName: 'Geert', lastName: 'Breukers', gender: 'MALE', email: 'g.breukers@vtel.nl' });
        const jan = await tx.contact.create({
          data: {
            organizationId: org.id,
            firstName: 'Jan',
            initials: 'J',
            lastName: 'Jansen',
            gender: 'MALE',
            email: DEMO_LOGIN,
            phone: PHONE,
            mobile: '0623123454',
            privateCountry: 'Nederland',
            webAccess: true,
            subscribeUpdate: true,
            subscribeCare: false,
            subscribeBusiness: true,
            subscribeFlash: true,
            passwordHash: janHash,
            passwordChangedAt: now,
            roles: { create: ROLES.map((role) => ({ role })) },
            activations: { create: [...appIds.values()].map((applicationId) => ({ applicationId })) },
          },
        });
        await contact({ firstName: 'Kim', lastName: 'Sanders', gender: 'FEMALE', email: 'k.sanders@vtel.nl' });
        const lisa = await tx.contact.create({
          data: {
            organizationId: org.id,
            firstName: 'Lisa',
            initials: 'L',
            infix: 'de',
            lastName: 'Vries',
            gender: 'FEMALE',
            email: 'l.devries@vtel.nl',
            phone: PHONE,
            privateCountry: 'Nederland',
            webAccess: true,
            roles: {
              create: [Role.PORTAL_ACCESS, Role.MANAGE_PERSONAL_DATA, Role.MANAGE_OWN_TICKETS, Role.VIEW_MANUALS].map(
                (role) => ({ role }),
              ),
            },
            activations: { create: ['OPERATOR', 'WALLDISPLAY'].map((code) => ({ applicationId: appIds.get(code)! })) },
          },
        });
        await contact({ firstName: 'Roy', lastName: 'Williams', gender: 'MALE', email: 'r.williams@vtel.nl' });
        await tx.contact.create({
          data: {
            organizationId: sub.id,
            firstName: 'Sanne',
            initials: 'S',
            lastName: 'Visser',
            gender: 'FEMALE',
            email: 's.visser@vtel.nl',
            privateCountry: 'Nederland',
          },
        });
        await tx.organization.update({ where: { id: org.id }, data: { mainContactId: jan.id } });

        const invoices: Array<[number, string]> = [
          [105000, 'Test Helpdesk - maand Juni 2017'],
          [105001, 'Test Reparatie Swich op locatie 04-07-17'],
          [105002, 'Test Levering Iphone 7 32gb Silver'],
          [105003, 'Test Vcare   Recorder HAP maand Juli'],
          [105004, 'Test Vcare   Walldisplay HAP maand Juli'],
          [105005, 'Test Vcare   Scheduler HAP maand Juli'],
          [105006, 'Test Vcare   Operator HAP maand Juli'],
          [105035, 'Test Maandfactuur augustus 2017'],
        ];
        for (const [number, title] of invoices) {
          await tx.invoice.create({
            data: {
              number,
              organizationId: org.id,
              title,
              invoiceDate: cal.day('2017-07-06'),
              amountExclVat: 0,
              vatAmount: 0,
              organizationName: org.name,
              lines: {
                create: [{ position: 1, description: title, quantity: 1, unitPrice: 0, vatRate: 21, amountExclVat: 0 }],
              },
            },
          });
        }

        const documents: Array<{
          kind: 'MANUAL' | 'REPORT';
          fileName: string;
          date: Date;
          organizationId: number | null;
        }> = [
          { kind: 'MANUAL', fileName: 'Snom Toestellen.pdf', date: cal.day('2017-06-19'), organizationId: null },
          {
            kind: 'MANUAL',
            fileName: 'Recorder Handleiding 1.0.pdf',
            date: cal.day('2017-06-19'),
            organizationId: null,
          },
          {
            kind: 'MANUAL',
            fileName: 'Redirect Handleiding 1.0.pdf',
            date: cal.day('2017-06-19'),
            organizationId: null,
          },
          {
            kind: 'MANUAL',
            fileName: 'Scheduler Handleiding_1.0.pdf',
            date: cal.day('2017-06-21'),
            organizationId: null,
          },
          // The four weekly reports, each dated the Monday after the week it covers (as the manual's).
          ...cal.reportMondays(4).map((monday) => {
            const from = new Date(monday.getTime() - 7 * 86_400_000);
            const dd = (n: number) => String(n).padStart(2, '0');
            const fromText = `${dd(from.getUTCDate())}-${dd(from.getUTCMonth() + 1)}-${from.getUTCFullYear()}`;
            return {
              kind: 'REPORT' as const,
              fileName: `week${isoWeek(from)} Patienten vanaf ${fromText}.pdf`,
              date: monday,
              organizationId: org.id,
            };
          }),
        ];
        for (const doc of documents) {
          const title = doc.fileName.replace(/\.pdf$/, '');
          const content = buildDemoPdf(title, [
            doc.kind === 'MANUAL' ? 'Handleiding (demo)' : `Rapportage (demo) - ${org.name}`,
            'Vcare connect - PIM, uw Persoonlijke Informatie Manager',
          ]);
          const storageKey = randomUUID();
          stored.push(storageKey);
          await storage.put(storageKey, bufferStream(content));
          await tx.document.create({
            data: {
              kind: doc.kind,
              organizationId: doc.organizationId,
              fileName: doc.fileName,
              contentType: 'application/pdf',
              size: content.length,
              storageKey,
              documentDate: doc.date,
            },
          });
        }

        const helpdesk = 'Support Vtel';
        await tx.ticket.create({
          data: {
            id: 9868,
            organizationId: org.id,
            reporterId: jan.id,
            title: 'Storing telefonie',
            kind: 'INCIDENT',
            status: 'NEW',
            application: 'Vcloud',
            module: 'Vcare',
            helpdesk,
            reportedAt: cal.at('2017-07-06T10:51'),
            deadline: cal.deadline(cal.at('2017-07-06T10:51')),
          },
        });
        await tx.ticket.create({
          data: {
            id: 9969,
            organizationId: org.id,
            reporterId: lisa.id,
            title: 'Internet verbinding valt weg',
            description: 'Wij hebben problemen dat de verbinding weg valt.',
            kind: 'INCIDENT',
            status: 'IN_PROGRESS',
            application: 'Vtel Core netwerk',
            helpdesk,
            channel: 'PHONE',
            reportedAt: cal.at('2017-07-13T11:05'),
            deadline: cal.deadline(cal.at('2017-07-13T11:05')),
          },
        });
        await tx.ticket.create({
          data: {
            id: 9877,
            organizationId: org.id,
            reporterId: jan.id,
            title: 'Snom instellen',
            kind: 'QUESTION',
            status: 'RESOLVED',
            application: 'Hardware',
            module: 'Vast Toestel',
            helpdesk,
            reportedAt: cal.at('2017-07-06T14:36'),
            deadline: cal.deadline(cal.at('2017-07-06T14:36')),
            resolvedAt: cal.at('2017-07-07T10:00'),
          },
        });
        await tx.ticket.create({
          data: {
            id: 9879,
            organizationId: org.id,
            reporterId: henk.id,
            title: '2 headsets werken niet meer',
            kind: 'INCIDENT',
            status: 'RESOLVED',
            application: 'Hardware',
            helpdesk,
            reportedAt: cal.at('2017-07-06T15:43'),
            deadline: cal.deadline(cal.at('2017-07-06T15:43')),
            resolvedAt: cal.at('2017-07-07T11:30'),
          },
        });
        // Explicit ids do not move the sequence: new tickets continue after the highest number
        // (and never below the 10000 the migration starts at).
        await tx.$executeRaw`SELECT setval(pg_get_serial_sequence('tickets', 'id'), GREATEST((SELECT max(id) FROM tickets), 9999))`;

        // The manual's announcement, about the next Whit Monday, published two days ago.
        const whitMonday = cal.nextWhitMonday();
        const longDate = (locale: string) =>
          new Intl.DateTimeFormat(locale, {
            timeZone: 'UTC',
            weekday: 'long',
            day: 'numeric',
            month: 'long',
            year: 'numeric',
          }).format(whitMonday);
        await tx.announcement.create({
          data: {
            kind: 'NEWS',
            titleNl: 'Aangepaste openingstijden',
            bodyNl: `Vcare is gesloten op ${longDate('nl-NL')} (Pinksteren). Wanneer u een servicecontract heeft, is de storingsdienst bereikbaar via 088 4 800 911.`,
            titleEn: 'Changed opening hours',
            bodyEn: `Vcare is closed on ${longDate('en-GB')} (Whit Monday). If you have a service contract, the fault service can be reached on 088 4 800 911.`,
            publishedAt: cal.daysAgo(2, '09:19'),
          },
        });

        await recordAudit(tx, {
          actor,
          kind: 'demo.seeded',
          organizationId: org.id,
          subjectType: 'organization',
          subjectId: org.id,
          after: { organizations: [org.id, sub.id], mainContactId: jan.id },
        });
        return { loaded: true };
      },
      { timeout: 60_000, maxWait: 10_000 },
    )
    .catch(async (err: unknown) => {
      await Promise.all(stored.map((k) => storage.delete(k).catch(() => {})));
      throw err;
    });
}
