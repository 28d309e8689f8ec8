import { afterAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp, TestClock, visibleText } from '../support/app.js';
import { DEMO_LOGIN, DEMO_PASSWORD, seedDemo } from '../../src/demo/seed.js';

/**
 * A first visit shows the portal at work: the demo is dated relative to the day it is loaded, so
 * on any day every page shows the manual's content. Loaded on two days with a fixed clock: New
 * Year's morning (when a default period of "this half year" would be empty) and a summer day
 * of the next year.
 */

const dbs: TestDb[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

const INVOICES = [105035, 105006, 105005, 105004, 105003, 105002, 105001, 105000];

// The weekly reports are named as the manual's: the ISO week and its Monday, day and month in two digits.
describe.each([
  [
    'New Year 2026, 08:00',
    '2026-01-01T07:00:00Z',
    [
      'week49 Patienten vanaf 01-12-2025.pdf',
      'week50 Patienten vanaf 08-12-2025.pdf',
      'week51 Patienten vanaf 15-12-2025.pdf',
      'week52 Patienten vanaf 22-12-2025.pdf',
    ],
  ],
  [
    '15 June 2027, 10:00',
    '2027-06-15T08:00:00Z',
    [
      'week20 Patienten vanaf 17-05-2027.pdf',
      'week21 Patienten vanaf 24-05-2027.pdf',
      'week22 Patienten vanaf 31-05-2027.pdf',
      'week23 Patienten vanaf 07-06-2027.pdf',
    ],
  ],
])('the demo loaded on %s', (_label, iso, reportNames) => {
  it("shows the manual's invoices, tickets, reports, manuals and announcement on the first visit, nothing dated in the future", async () => {
    const db = await createTestDb();
    dbs.push(db);
    const now = new Date(iso);
    expect(await seedDemo(db.prisma, 'system', now)).toEqual({ loaded: true });
    const { app } = testApp(db, { clock: new TestClock(now.getTime()) });
    const agent = client(app);
    expect((await logIn(agent, DEMO_LOGIN, DEMO_PASSWORD)).status).toBe(302);

    const dashboard = visibleText((await agent.get('/')).text);
    expect(dashboard).toContain('Aangepaste openingstijden');
    expect(dashboard).toMatch(/Vcare is gesloten op maandag \d{1,2} (mei|juni) 20\d\d \(Pinksteren\)/);

    const invoices = await agent.get('/invoices');
    const invoiceText = visibleText(invoices.text);
    expect(invoiceText).toContain('8 gevonden');
    expect([...invoices.text.matchAll(/<th scope="row">(\d+)<\/th>/g)].map((m) => Number(m[1]))).toEqual(INVOICES);
    expect(invoiceText).toContain('Test Helpdesk - maand Juni 2017');
    expect(invoiceText).toContain('€ 0,00');

    const tickets = await agent.get('/tickets');
    const ticketText = visibleText(tickets.text);
    expect(ticketText).toContain('4 gevonden Status › actueel');
    expect([...tickets.text.matchAll(/<h2 id="group-\w+">([^<]+)<\/h2>/g)].map((m) => m[1])).toEqual([
      'Nieuw (1)',
      'In behandeling (1)',
      'Afgehandeld (2)',
    ]);
    for (const title of [
      'Storing telefonie',
      'Internet verbinding valt weg',
      'Snom instellen',
      '2 headsets werken niet meer',
    ])
      expect(ticketText).toContain(title);
    // A resolved demo ticket can still get a note, as "actueel" promises.
    expect(visibleText((await agent.get('/tickets/9877')).text)).toContain('Aanvulling toevoegen');

    const reports = visibleText((await agent.get('/downloads/reports')).text);
    for (const name of reportNames) expect(reports).toContain(name);
    expect(reports.match(/Patienten vanaf/g)).toHaveLength(4);
    const manuals = visibleText((await agent.get('/downloads/manuals')).text);
    for (const name of [
      'Snom Toestellen.pdf',
      'Recorder Handleiding 1.0.pdf',
      'Redirect Handleiding 1.0.pdf',
      'Scheduler Handleiding_1.0.pdf',
    ])
      expect(manuals).toContain(name);

    // Nothing lies in the future, and the relations of the manual hold.
    const p = db.prisma;
    const ticketRows = await p.ticket.findMany({ orderBy: { id: 'asc' } });
    for (const t of ticketRows) {
      expect(t.reportedAt.getTime()).toBeLessThanOrEqual(now.getTime());
      expect(t.deadline!.getTime()).toBeGreaterThan(t.reportedAt.getTime() - 86_400_000);
      if (t.resolvedAt) expect(t.resolvedAt.getTime()).toBeLessThanOrEqual(now.getTime());
    }
    const t9969 = ticketRows.find((t) => t.id === 9969)!;
    const t9868 = ticketRows.find((t) => t.id === 9868)!;
    // 6-7 10:51 -> 13-7 11:05
    expect(t9969.reportedAt.getTime() - t9868.reportedAt.getTime()).toBe(7 * 86_400_000 + 14 * 60_000);
    for (const d of await p.document.findMany()) expect(d.documentDate.getTime()).toBeLessThanOrEqual(now.getTime());
    for (const i of await p.invoice.findMany()) expect(i.invoiceDate.getTime()).toBeLessThanOrEqual(now.getTime());
    expect((await p.announcement.findFirstOrThrow()).publishedAt.getTime()).toBeLessThanOrEqual(now.getTime());
  });
});
