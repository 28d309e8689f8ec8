import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { makeOrg, makePerson } from '../support/factories.js';
import { makeDocument, makeInvoice } from '../support/invoices-factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import { loadActor, type Actor } from '../../src/auth/actor.js';
import { Role } from '../../src/auth/roles.js';
import { updateContact, deleteContact, createContact } from '../../src/features/contacts/service.js';
import { getContact } from '../../src/features/contacts/queries.js';
import { exportContacts, listContacts, selectionEmails } from '../../src/features/contacts/list.js';
import { changeRoles } from '../../src/features/contacts/roles-service.js';
import { parseContactForm, parseFilters } from '../../src/features/contacts/schema.js';
import { getOrganisation, listOrganisations, organisationOverview } from '../../src/features/organisations/service.js';
import {
  getInvoiceForPdf,
  getInvoicesForPdf,
  listInvoices,
  listInvoicesForExport,
  selectInvoicesForZip,
} from '../../src/features/invoices/service.js';
import type { InvoiceFilter } from '../../src/features/invoices/filters.js';
import { getDocument, listDocuments } from '../../src/features/downloads/service.js';
import { addNote, createTicket, getTicket, listTickets } from '../../src/features/tickets/service.js';
import { listAttachments, openAttachment } from '../../src/features/tickets/attachments.js';
import { addWatcher, listWatchers, removeWatcher, watcherCandidates } from '../../src/features/tickets/watchers.js';
import { postgresStorage } from '../../src/storage/postgres.js';
import { listActivity, listPeople } from '../../src/features/activity/service.js';
import { loadConfig } from '../../src/config.js';

/**
 * Scope by construction: every service that reads or writes customer data, called directly
 * (no route in between) by a person of organisation A with the ids and filters of
 * organisation B, finds nothing of B and changes nothing.
 */
let db: TestDb;
let mine: Actor;
let foreign: {
  orgId: number;
  contactId: number;
  invoiceId: number;
  ticketId: number;
  reportId: number;
  manualId: number;
  fileId: number;
};
let myTicketId: number;

const list = <S extends string>(sort: S) => ({ q: '', sort, dir: 'asc' as const, page: 1, perPage: 50, skip: 0 });
const ctx = { now: new Date(), baseUrl: 'http://pim.test', lang: 'nl' as const, ip: '127.0.0.1' };
const ticketCtx = () => ({
  now: new Date(),
  settings: loadConfig({ NODE_ENV: 'test' }).tickets,
  baseUrl: 'http://pim.test',
});

/** A fingerprint of what the foreign organisation holds, to prove nothing changed. */
async function snapshot(): Promise<string> {
  const { rows } = await db.pool.query(
    `SELECT (SELECT json_agg(c ORDER BY c.id) FROM contacts c WHERE organization_id = $1) AS contacts,
            (SELECT json_agg(r ORDER BY r.contact_id, r.role) FROM contact_roles r JOIN contacts c ON c.id = r.contact_id WHERE c.organization_id = $1) AS roles,
            (SELECT json_agg(t ORDER BY t.id) FROM tickets t WHERE organization_id = $1) AS tickets,
            (SELECT count(*) FROM ticket_notes n JOIN tickets t ON t.id = n.ticket_id WHERE t.organization_id = $1) AS notes,
            (SELECT json_agg(w ORDER BY w.ticket_id, w.contact_id) FROM ticket_watchers w JOIN tickets t ON t.id = w.ticket_id WHERE t.organization_id = $1) AS watchers,
            (SELECT json_agg(a ORDER BY a.id) FROM ticket_attachments a JOIN tickets t ON t.id = a.ticket_id WHERE t.organization_id = $1) AS attachments,
            (SELECT count(*) FROM invoices WHERE organization_id = $1) AS invoices`,
    [foreign.orgId],
  );
  return JSON.stringify(rows[0]);
}

beforeAll(async () => {
  db = await createTestDb();
  const a = await makeOrg(db.prisma, { reportsInContract: true });
  const me = await makePerson(db.prisma, a.id, { main: true });
  await makePerson(db.prisma, a.id);
  mine = (await loadActor(db.prisma, me.id, 0))!;
  expect(mine.roles.has(Role.MANAGE_ORG_TICKETS)).toBe(true);

  const b = await makeOrg(db.prisma, { reportsInContract: true, name: 'Vreemde organisatie' });
  const them = await makePerson(db.prisma, b.id, { main: true, lastName: 'Vreemdeling' });
  const colleague = await makePerson(db.prisma, b.id, {
    lastName: 'Buitenstaander',
    roles: ['PORTAL_ACCESS', 'VIEW_INVOICES'],
  });
  const invoice = await makeInvoice(db.prisma, b.id, { title: 'Vreemde factuur' });
  const ticket = await makeTicket(db.prisma, b.id, { reporterId: them.id, title: 'Vreemde melding' });
  const report = await makeDocument(db.prisma, {
    kind: 'REPORT',
    organizationId: b.id,
    fileName: 'vreemd-rapport.pdf',
  });
  const manual = await makeDocument(db.prisma, {
    kind: 'MANUAL',
    organizationId: b.id,
    fileName: 'vreemde-handleiding.pdf',
  });
  // Their ticket has a file and a Betrokkene, as any team's would.
  const storage = postgresStorage(db.prisma);
  const key = `scope-test-${ticket.id}`;
  await storage.put(key, Readable.from([Buffer.from('%PDF-1.4 vreemd')]));
  const file = await db.prisma.ticketAttachment.create({
    data: {
      ticketId: ticket.id,
      uploaderId: them.id,
      fileName: 'vreemd.pdf',
      contentType: 'application/pdf',
      size: 15,
      storageKey: key,
    },
  });
  await db.prisma.ticketWatcher.create({ data: { ticketId: ticket.id, contactId: colleague.id, addedById: them.id } });
  myTicketId = (await makeTicket(db.prisma, a.id, { reporterId: me.id, title: 'Eigen melding' })).id;
  foreign = {
    orgId: b.id,
    contactId: colleague.id,
    invoiceId: invoice.id,
    ticketId: ticket.id,
    reportId: report.id,
    manualId: manual.id,
    fileId: file.id,
  };
  await db.prisma.auditEvent.create({
    data: {
      actorLabel: 'Vcare (cli)',
      kind: 'invoice.created',
      organizationId: b.id,
      subjectType: 'invoice',
      subjectId: String(invoice.id),
    },
  });
});
afterAll(() => db.drop());

describe("a service called with another organisation's ids or filters", () => {
  it('contacts: the detail, the list, the CSV and the e-mail page never hold them', async () => {
    await expect(getContact(db.prisma, mine, foreign.contactId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    for (const query of [
      { org: String(foreign.orgId) },
      { org: String(foreign.orgId), subs: '1' },
      { org: 'all', active: 'all', orgActive: 'all' },
    ]) {
      const filters = parseFilters(query, mine.organizationId);
      const { rows } = await listContacts(db.prisma, mine, filters, { sort: 'name', dir: 'asc', take: 100, skip: 0 });
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.organization_id === mine.organizationId)).toBe(true);
      const csv = await exportContacts(db.prisma, mine, filters, 'name', 'asc');
      expect(csv.some((r) => r.organization_id === foreign.orgId)).toBe(false);
      const emails = await selectionEmails(db.prisma, mine, filters);
      expect(emails.some((e) => e.includes('Vreemd') || e.includes('Buitenstaander'))).toBe(false);
      expect(emails.length).toBe(rows.filter((r) => r.email).length);
    }
  });

  it('contacts: editing, deleting, changing roles or creating in another organisation changes nothing', async () => {
    const before = await snapshot();
    const form = parseContactForm({
      organizationId: String(foreign.orgId),
      lastName: 'Indringer',
      firstName: '',
      initials: '',
      infix: '',
      gender: '',
      birthDate: '',
      privateStreet: '',
      privatePostcode: '',
      privateCity: '',
      privateCountry: '',
      email: '',
      phone: '',
      fax: '',
      mobile: '',
      active: 'yes',
      webAccess: 'no',
      subscribeUpdate: 'no',
      subscribeCare: 'no',
      subscribeBusiness: 'no',
      subscribeFlash: 'no',
    });
    expect(form.ok).toBe(true);
    if (!form.ok) return;
    await expect(updateContact(db.prisma, mine, foreign.contactId, 1, form.data, ctx)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(deleteContact(db.prisma, mine, foreign.contactId, ctx)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      changeRoles(db.prisma, mine, foreign.contactId, new Set([Role.PORTAL_ACCESS, Role.MANAGE_CONTACTS]), {
        ip: '127.0.0.1',
        now: new Date(),
        baseUrl: 'http://pim.test',
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const created = await createContact(db.prisma, mine, form.data, ctx);
    expect(created.ok).toBe(false);
    expect(await snapshot()).toBe(before);
  });

  it('organisations: the list, the detail and the overview download', async () => {
    const { rows } = await listOrganisations(db.prisma, mine, list('name'), { active: null });
    expect(rows.map((r) => r.id)).toEqual([mine.organizationId]);
    await expect(getOrganisation(db.prisma, mine, foreign.orgId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(organisationOverview(db.prisma, mine, foreign.orgId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('invoices: the list, the CSV, the ZIP selection and the PDFs', async () => {
    const filter: InvoiceFilter = {
      orgId: foreign.orgId,
      subsidiaries: true,
      from: null,
      to: null,
      defaultRange: false,
      q: '',
      errors: {},
    };
    const page = await listInvoices(db.prisma, mine, filter, list('number'));
    expect(page.rows.some((r) => r.title === 'Vreemde factuur')).toBe(false);
    expect(
      (await listInvoicesForExport(db.prisma, mine, filter, list('number'))).some((r) => r.id === foreign.invoiceId),
    ).toBe(false);
    expect(
      (await selectInvoicesForZip(db.prisma, mine, filter, list('number'))).some((r) => r.id === foreign.invoiceId),
    ).toBe(false);
    await expect(getInvoiceForPdf(db.prisma, mine, foreign.invoiceId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await getInvoicesForPdf(db.prisma, mine, [foreign.invoiceId])).toEqual([]);
  });

  it("documents: another organisation's report and manual are neither listed nor opened", async () => {
    for (const kind of ['REPORT', 'MANUAL'] as const) {
      const { rows } = await listDocuments(db.prisma, mine, kind, list('name'));
      expect(rows.some((r) => r.id === foreign.reportId || r.id === foreign.manualId)).toBe(false);
    }
    await expect(getDocument(db.prisma, mine, foreign.reportId, postgresStorage(db.prisma))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(getDocument(db.prisma, mine, foreign.manualId, postgresStorage(db.prisma))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('tickets: the list filtered on their organisation, the detail, a note and a new ticket for them', async () => {
    const before = await snapshot();
    const { total } = await listTickets(db.prisma, mine, {
      status: 'all',
      reopenCutoff: new Date(0),
      org: foreign.orgId,
      q: '',
      dir: 'desc',
      pages: {},
    });
    expect(total).toBe(0);
    await expect(getTicket(db.prisma, mine, foreign.ticketId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      addNote(db.prisma, mine, foreign.ticketId, 'Ingebroken aanvulling', ticketCtx()),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const input = {
      organizationId: foreign.orgId,
      title: 'Namens een ander',
      description: 'x',
      kind: 'QUESTION' as const,
      customerReference: null,
      alternativePhone: null,
    };
    await expect(createTicket(db.prisma, mine, input as never, ticketCtx())).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await snapshot()).toBe(before);
  });

  it('tickets: the files and Betrokkenen of their ticket are out of reach, and none of their people can be put on mine', async () => {
    const before = await snapshot();
    const storage = postgresStorage(db.prisma);
    expect(await listAttachments(db.prisma, mine, foreign.ticketId)).toEqual([]);
    await expect(openAttachment(db.prisma, storage, mine, foreign.ticketId, foreign.fileId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // Their file asked for under my own ticket's number.
    await expect(openAttachment(db.prisma, storage, mine, myTicketId, foreign.fileId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await listWatchers(db.prisma, mine, foreign.ticketId)).toEqual([]);
    await expect(watcherCandidates(db.prisma, mine, foreign.ticketId, '', 1)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      addWatcher(db.prisma, mine, foreign.ticketId, mine.id, { baseUrl: 'http://pim.test' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(removeWatcher(db.prisma, mine, foreign.ticketId, foreign.contactId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const candidates = await watcherCandidates(db.prisma, mine, myTicketId, 'Buitenstaander', 1);
    expect(JSON.stringify(candidates)).not.toContain('Buitenstaander');
    await expect(
      addWatcher(db.prisma, mine, myTicketId, foreign.contactId, { baseUrl: 'http://pim.test' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await db.prisma.ticketWatcher.count({ where: { ticketId: myTicketId } })).toBe(0);
    expect(await snapshot()).toBe(before);
  });

  it('activity: their events and their people are not listed', async () => {
    const { events } = await listActivity(db.prisma, mine, list('at'), {
      person: foreign.contactId,
      kind: null,
      from: null,
      to: null,
    });
    expect(events).toEqual([]);
    const all = await listActivity(db.prisma, mine, list('at'), {
      person: null,
      kind: 'invoice.created',
      from: null,
      to: null,
    });
    expect(all.events).toEqual([]);
    const people = await listPeople(db.prisma, mine, foreign.contactId);
    expect(people.some((p) => p.id === foreign.contactId)).toBe(false);
  });
});
