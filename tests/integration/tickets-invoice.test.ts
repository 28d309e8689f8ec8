import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText, TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { binary, makeInvoice, pdfText } from '../support/invoices-factories.js';

let db: TestDb;
let app: Express;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db, {
    clock: new TestClock(Date.parse('2026-04-22T10:00:00+02:00')),
    env: { FINANCE_HELPDESK_NAME: 'Administratie Vcare', FINANCE_HELPDESK_EMAIL: 'administratie@vcare.test' },
  }));
});
afterAll(() => db.drop());

describe('"Vraag over deze factuur"', () => {
  it('from the invoice row to a ticket with the invoice number as reference, the invoice linked, kind Vraag, to the financial helpdesk', async () => {
    const org = await makeOrg(db.prisma);
    const me = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'VIEW_INVOICES', 'MANAGE_OWN_TICKETS'] });
    const invoice = await makeInvoice(db.prisma, org.id, { number: 105012 });
    const agent = client(app);
    await logIn(agent, me.email!, PASSWORD);

    const list = await agent.get('/invoices?dates=all');
    expect(list.text).toContain(`href="/tickets/new?invoice=${invoice.id}"`);
    expect(visibleText(list.text)).toContain('Vraag over deze factuur 105012');

    const form = await agent.get(`/tickets/new?invoice=${invoice.id}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="Vraag over factuur 105012"');
    expect(form.text).toMatch(/name="customerReference"[^>]*value="105012"/);
    expect(form.text).toMatch(/<option value="QUESTION" selected>/);
    expect(form.text).toContain(`name="invoiceId" value="${invoice.id}"`);

    const res = await agent
      .post('/tickets/new')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        invoiceId: String(invoice.id),
        organizationId: String(org.id),
        title: 'Vraag over factuur 105012',
        customerReference: '105012',
        kind: '',
        description: 'Klopt het btw-bedrag?',
      });
    expect(res.status).toBe(302);
    const ticket = await db.prisma.ticket.findFirstOrThrow({ where: { reporterId: me.id } });
    expect([ticket.invoiceId, ticket.kind, ticket.helpdesk, ticket.customerReference]).toEqual([
      invoice.id,
      'QUESTION',
      'Administratie Vcare',
      '105012',
    ]);
    const mails = await db.prisma.mailOutbox.findMany({
      where: { subject: { contains: `Nieuw ticket ${ticket.id}` } },
    });
    expect(mails.map((m) => m.recipient)).toEqual(['administratie@vcare.test']);
    expect(mails[0]!.text).toContain('Factuur: 105012');
    expect(visibleText((await agent.get(`/tickets/${ticket.id}`)).text)).toContain('Factuur 105012');
    // A note on it goes to the financial helpdesk too.
    const notePage = await agent.get(`/tickets/${ticket.id}/notes/new`);
    expect(
      (
        await agent
          .post(`/tickets/${ticket.id}/notes`)
          .type('form')
          .send({ _csrf: csrfFrom(notePage.text), body: 'Nog een vraag.' })
      ).status,
    ).toBe(302);
    expect(
      (
        await db.prisma.mailOutbox.findMany({ where: { subject: { startsWith: `Aanvulling op ticket ${ticket.id}` } } })
      ).map((m) => m.recipient),
    ).toEqual(['administratie@vcare.test']);

    const pdf = await agent.get(`/invoices/${invoice.id}/pdf`).buffer(true).parse(binary);
    expect(await pdfText(pdf.body as Buffer)).toContain(
      `Vraag over deze factuur: http://pim.test/tickets/new?invoice=${invoice.id}`,
    );
  });

  it('an invoice of another organisation: the form stays empty, a forged POST is 404 and saves nothing', async () => {
    const org = await makeOrg(db.prisma);
    const other = await makeOrg(db.prisma);
    const me = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'VIEW_INVOICES', 'MANAGE_OWN_TICKETS'] });
    const foreign = await makeInvoice(db.prisma, other.id, { number: 205001 });
    const agent = client(app);
    await logIn(agent, me.email!, PASSWORD);
    const form = await agent.get(`/tickets/new?invoice=${foreign.id}`);
    expect(form.status).toBe(200);
    expect(form.text).not.toContain('205001');
    const before = await db.prisma.ticket.count();
    const res = await agent
      .post('/tickets/new')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        invoiceId: String(foreign.id),
        organizationId: String(org.id),
        title: 'Vraag',
        kind: '',
      });
    expect(res.status).toBe(404);
    expect(await db.prisma.ticket.count()).toBe(before);
  });
});
