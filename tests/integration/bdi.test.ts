import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeTicket } from '../support/tickets-factories.js';

// Issue 19, small leaks: person-given text is isolated in <bdi>, so a right-to-left run in a name or
// title cannot reorder the text around it on a list page or in a heading.

let db: TestDb;
let app: Express;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
});
afterAll(() => db.drop());

describe('user text in lists and headings', () => {
  it('names, organisation names and ticket titles are inside <bdi>, still escaped', async () => {
    const org = await makeOrg(db.prisma, { name: 'מרפאה <b>Oost</b>' });
    const main = await makePerson(db.prisma, org.id, { main: true, roles: [] });
    const colleague = await makePerson(db.prisma, org.id, { firstName: 'Dana', lastName: 'כהן' });
    const ticket = await makeTicket(db.prisma, org.id, { reporterId: main.id, title: 'Printer مكسور 2' });
    const agent = client(app);
    expect((await logIn(agent, main.email!, PASSWORD)).status).toBe(302);

    const contacts = (await agent.get('/contacts')).text;
    expect(contacts).toMatch(/<a href="\/contacts\/\d+"><bdi>[^<]*כהן[^<]*<\/bdi><\/a>/);
    expect(contacts).toContain('<td><bdi>מרפאה &#60;b&#62;Oost&#60;/b&#62;</bdi></td>');

    const heading = (await agent.get(`/contacts/${colleague.id}`)).text;
    expect(heading).toMatch(/<h1>[^<]*<bdi>Dana כהן<\/bdi>[^<]*<\/h1>/);

    const tickets = (await agent.get('/tickets')).text;
    expect(tickets).toContain(`<a href="/tickets/${ticket.id}"><bdi>Printer مكسور 2</bdi></a>`);
    const show = (await agent.get(`/tickets/${ticket.id}`)).text;
    expect(show).toMatch(/<h1>[^\n]*<bdi>Printer مكسور 2<\/bdi><\/h1>/);
    // The page title holds no markup.
    expect(show).toMatch(/<title>[^<]*Printer مكسور 2[^<]*<\/title>/);

    const orgs = (await agent.get('/organisations')).text;
    expect(orgs).toContain(`<a href="/organisations/${org.id}"><bdi>מרפאה &#60;b&#62;Oost&#60;/b&#62;</bdi></a>`);
    expect(orgs).not.toContain('<b>Oost</b>');
  });
});
