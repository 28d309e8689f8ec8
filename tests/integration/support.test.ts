import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { renderMarkdown } from '../../src/http/markdown.js';

let db: TestDb;
let app: Express;
let email: string;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db, { env: { REMOTE_SUPPORT_URL: 'https://download.vcare.test/VcareSupport.exe' } }));
  const org = await makeOrg(db.prisma);
  email = (await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS'] })).email!;
});
afterAll(() => db.drop());

async function agent() {
  const a = client(app);
  await logIn(a, email, PASSWORD);
  return a;
}

describe('GET /faq', () => {
  it("shows the manual's questions and answers, links included, in order", async () => {
    const res = await (await agent()).get('/faq');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('Hieronder en op onze website vindt u enkele Veelgestelde vragen');
    const order = [
      'Hoe kan ik inloggen in het klantportaal PIM?',
      'Ik heb een vraag over mijn factuur',
      'Hoe kan ik toegang krijgen tot een Vcare-applicatie?',
      'Ik heb een vraag over een product',
    ];
    expect(order.map((q) => text.indexOf(q))).toEqual([...order.map((q) => text.indexOf(q))].sort((a, b) => a - b));
    expect(res.text).toContain('<a href="mailto:administratie@vcareconnect.nl">administratie@vcareconnect.nl</a>');
    expect(res.text).toContain(
      '<a href="http://pim.vcareconnect.nl" rel="noopener noreferrer">pim.vcareconnect.nl</a>',
    );
    expect(res.text).toContain('<strong>Afdeling support</strong>');
    // The manual's typo is corrected, and the invoice answer names the portal's own way to ask.
    expect(text).toContain('vul uw Gebruikersnaam (e-mailadres) en Wachtwoord in');
    expect(text).not.toContain('Gebruiksnaam');
    expect(text).toContain('klik onder Administratie › Facturen bij de factuur op Vraag over deze factuur');
    // One support address: the footer says the helpdesk's, as the page does.
    expect(res.text).toContain('<a href="mailto:support@vcareconnect.nl">support@vcareconnect.nl</a>.</p>');
    expect(res.text).toMatch(/<footer[\s\S]*mailto:support@vcareconnect\.nl[\s\S]*<\/footer>/);
    expect(res.text).not.toContain('support@vtel.nl');
  });

  it('searches questions and answers', async () => {
    const a = await agent();
    const res = await a.get('/faq?q=factuur');
    const text = visibleText(res.text);
    expect(text).toContain('1 gevonden');
    expect(text).toContain('Ik heb een vraag over mijn factuur');
    expect(text).not.toContain('Hoe kan ik inloggen');
    expect(visibleText((await a.get('/faq?q=optie%203')).text)).toContain('Ik heb een vraag over een product');
    expect(visibleText((await a.get('/faq?q=%25')).text)).toContain('Geen vragen gevonden.');
  });

  it('renders an answer with HTML and script links as harmless text', async () => {
    await db.prisma.faqEntry.create({
      data: {
        position: 99,
        questionNl: 'Gevaarlijk?',
        answerNl:
          'Hallo <script>alert(1)</script> [klik](javascript:alert(1)) <img src=x onerror=alert(1)> [ok](https://vcare.test)',
      },
    });
    const res = await (await agent()).get('/faq?q=gevaarlijk');
    expect(res.text).not.toContain('<script>alert');
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).not.toMatch(/href="javascript:/i);
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).toContain('<a href="https://vcare.test" rel="noopener noreferrer">ok</a>');
  });
});

describe('renderMarkdown', () => {
  it('keeps http, https and mailto links only', () => {
    expect(renderMarkdown('[a](http://x.test) [b](mailto:a@b.test)')).toContain('<a href="mailto:a@b.test">b</a>');
    for (const bad of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:x',
      '/relative',
    ]) {
      expect(renderMarkdown(`[x](${bad})`)).not.toContain('<a');
    }
    expect(renderMarkdown('<b onclick="x">vet</b>')).toBe('<p>&lt;b onclick=&quot;x&quot;&gt;vet&lt;/b&gt;</p>\n');
    expect(renderMarkdown('![plaatje](javascript:alert(1))')).not.toContain('<img');
  });
});

describe('GET /support/remote', () => {
  it("shows the manual's explanation and steps, with the configured download link", async () => {
    const res = await (await agent()).get('/support/remote');
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('Om u beter van dienst te kunnen zijn, bieden we u support op afstand.');
    expect(text).toContain('Onderaan in de balk van uw browser klikt u op Teamviewer XS.exe');
    expect(text).toContain('Disclaimer: Accepteren');
    expect(text).toContain('Na deze sessie vervalt dit recht');
    // No reference to the manual's numbered pictures, which are not on the page.
    expect(text).toContain('U krijgt een venster te zien met ‘Uw ID’ (9 cijfers) en ‘Wachtwoord’ (4 cijfers).');
    expect(text).toContain('vraagt u om eerst uw ID en daarna het wachtwoord uit dat venster door te geven.');
    expect(text).not.toContain('respectievelijk');
    expect(text).not.toContain('[Uw ID]');
    expect(res.text).toContain('href="https://download.vcare.test/VcareSupport.exe"');
  });

  it('the menu shows Service & Support with FAQ and Support op afstand, and Tickets only with a ticket role', async () => {
    const res = await (await agent()).get('/faq');
    expect(res.text).toContain('Service &amp; Support');
    expect(res.text).toContain('href="/support/remote"');
    expect(res.text).not.toContain('href="/tickets"');
  });

  it("the tickets page's legend does not call Afgehandeld closed while a note reopens it", async () => {
    const org = await makeOrg(db.prisma);
    const p = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
    const a = client(app);
    await logIn(a, p.email!, PASSWORD);
    const text = visibleText((await a.get('/tickets')).text);
    expect(text).toContain(
      'Afgehandeld Uw ticket is opgelost. Voegt u binnen 14 dagen een aanvulling toe, dan neemt Vcare het opnieuw in behandeling',
    );
    expect(text).not.toContain('afgesloten');
  });
});
