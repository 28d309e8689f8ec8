import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText, TestClock } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { deliverDue, smtpTransport } from '../../src/mail/mailer.js';
import { runCli } from '../../src/cli/program.js';

let db: TestDb;
let app: Express;
let smtp: TestSmtp;
const clock = new TestClock(Date.parse('2026-04-22T10:00:00+02:00'));

beforeAll(async () => {
  db = await createTestDb();
  smtp = await startSmtp();
  ({ app } = testApp(db, { clock }));
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

const cli = async (...argv: string[]) => {
  const out: string[] = [];
  const code = await runCli(argv, {
    prisma: db.prisma,
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    now: () => clock.now(),
    baseUrl: 'http://pim.test',
  });
  return { code, out };
};

describe('"Hoe tevreden bent u?"', () => {
  it('the resolved mail carries five signed links; GET only asks, POST records; changeable for 14 days; the ticket shows it', async () => {
    const org = await makeOrg(db.prisma);
    const reporter = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
    const t = await makeTicket(db.prisma, org.id, {
      reporterId: reporter.id,
      status: 'IN_PROGRESS',
      title: 'Wifi traag',
    });
    expect((await cli('ticket:status', String(t.id), 'RESOLVED')).code).toBe(0);
    expect(await deliverDue(db.prisma, smtpTransport(smtp.url), 'PIM <noreply@pim.test>')).toBe(1);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.text).toContain('Hoe tevreden bent u? Klik op uw antwoord:');
    const links = [
      ...mail!.text!.matchAll(
        /^(Zeer tevreden|Tevreden|Neutraal|Ontevreden|Zeer ontevreden): (http:\/\/pim\.test(\/mail\/verdict\/\S+))$/gm,
      ),
    ];
    expect(links.map((l) => l[1])).toEqual(['Zeer tevreden', 'Tevreden', 'Neutraal', 'Ontevreden', 'Zeer ontevreden']);
    const satisfied = links[1]![3]!;

    // A link scanner follows the link: nothing is recorded.
    const anon = client(app);
    const page = await anon.get(satisfied);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/id="f-score-4" name="score" value="4" checked/);
    expect(await db.prisma.ticketVerdict.count()).toBe(0);
    // The page says plainly that the answer is not saved yet and which one click saves it.
    expect(visibleText(page.text)).toContain(
      'Uw antwoord ‘Tevreden’ is nog niet opgeslagen: klik op ‘Antwoord opslaan’ hieronder om het op te slaan',
    );
    expect(visibleText(page.text)).not.toContain('U kunt uw antwoord tot');
    expect(page.text).toMatch(/<button type="submit"[^>]*>Antwoord opslaan<\/button>/);

    const post = await anon
      .post(satisfied.split('?')[0]!)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), score: '4', comment: 'Snel opgelost.' });
    expect(post.status).toBe(200);
    expect(visibleText(post.text)).toContain('Uw antwoord is opgeslagen');
    expect(visibleText(post.text)).not.toContain('nog niet opgeslagen');
    expect(visibleText(post.text)).toContain('U kunt uw antwoord tot 14 dagen na de afhandeling wijzigen');
    expect(
      await db.prisma.ticketVerdict.findMany({
        select: { ticketId: true, score: true, comment: true, contactId: true },
      }),
    ).toEqual([{ ticketId: t.id, score: 4, comment: 'Snel opgelost.', contactId: reporter.id }]);

    // Changed on day 13: still one answer.
    clock.advance(13 * 86_400_000);
    const again = await anon.get(satisfied);
    // The link of the saved answer opens as saved, not as a pending one.
    expect(visibleText(again.text)).toContain('Uw antwoord: Tevreden.');
    expect(visibleText(again.text)).not.toContain('nog niet opgeslagen');
    await anon
      .post(satisfied.split('?')[0]!)
      .type('form')
      .send({ _csrf: csrfFrom(again.text), score: '5', comment: '' });
    expect(await db.prisma.ticketVerdict.findMany({ select: { score: true, comment: true } })).toEqual([
      { score: 5, comment: null },
    ]);

    const agent = client(app);
    await logIn(agent, reporter.email!, PASSWORD);
    expect(visibleText((await agent.get(`/tickets/${t.id}`)).text)).toContain('Tevredenheid Zeer tevreden (5/5)');

    // Day 15: closed; a POST is refused (410) and changes nothing.
    clock.advance(2 * 86_400_000);
    const late = await anon.get(satisfied);
    expect(visibleText(late.text)).toContain('kan niet (meer) gereageerd worden');
    expect(
      (
        await anon
          .post(satisfied.split('?')[0]!)
          .type('form')
          .send({ _csrf: csrfFrom((await anon.get('/login')).text), score: '1' })
      ).status,
    ).toBe(410);
    expect((await db.prisma.ticketVerdict.findFirstOrThrow()).score).toBe(5);
    clock.advance(-15 * 86_400_000);
  });

  it('a forged token is 404; ticket:satisfaction averages per month and helpdesk', async () => {
    expect(
      (await request(app).get('/mail/verdict/dGVzdA.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx?score=1')).status,
    ).toBe(404);
    const org = await makeOrg(db.prisma);
    const a = await makeTicket(db.prisma, org.id, { status: 'RESOLVED' });
    const b = await makeTicket(db.prisma, org.id, { status: 'RESOLVED' });
    await db.prisma.ticketVerdict.createMany({
      data: [
        { ticketId: a.id, score: 2, answeredAt: new Date('2026-03-31T23:30:00Z'), updatedAt: new Date() }, // 1 April in Amsterdam
        { ticketId: b.id, score: 3, answeredAt: new Date('2026-04-10T10:00:00Z'), updatedAt: new Date() },
      ],
    });
    const r = await cli('ticket:satisfaction', '--from', '2026-04-01', '--to', '2026-04-30');
    expect(r.code).toBe(0);
    expect(r.out).toEqual(['2026-04\tSupport Vtel\t3\t3.33']);
    expect((await cli('ticket:satisfaction', '--from', '2026-13-01')).out[0]).toMatch(/--from: not a date/);
  });
});
