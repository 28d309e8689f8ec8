import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2e, type E2e } from '../support/e2e.js';
import { LoginPage } from './pages/login-page.js';
import { RolesPage } from './pages/roles-page.js';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';

let e2e: E2e;

beforeAll(async () => {
  e2e = await startE2e();
});
afterAll(() => e2e?.close());

describe('Rollen wijzigen in Chromium', () => {
  it('the dual list works by keyboard alone: << assigns, >> removes, OK saves', async () => {
    // Geert Breukers gets web access (the Rollen tab appears), with no roles yet.
    const geert = await e2e.db.prisma.contact.update({
      where: { email: 'g.breukers@vtel.nl' },
      data: { webAccess: true },
    });
    const page = await e2e.logInAsDemo();

    const roles = new RolesPage(page);
    await roles.open(e2e.url, geert.id);
    expect(await roles.options('Toegewezen rollen')).toEqual([]);
    expect(await roles.options('Overige rollen')).toHaveLength(11);
    // The checkboxes are replaced by the lists.
    expect(await page.locator('.role-checkboxes').isVisible()).toBe(false);

    // Tab to "Overige rollen", pick "Contactpersonen beheren", Shift+Tab to <<, Enter.
    await roles.tabTo('Overige rollen');
    await roles.arrowTo('Contactpersonen beheren');
    await roles.tabTo('Toewijzen', true);
    await page.keyboard.press('Enter');
    // Enter in the list moves too: "Organisatiegegevens inzien".
    await roles.tabTo('Overige rollen');
    await roles.arrowTo('Organisatiegegevens inzien');
    await page.keyboard.press('Enter');
    await roles.tabTo('Overige rollen');
    await roles.arrowTo('Facturen inzien');
    await page.keyboard.press('Enter');
    expect(await roles.options('Toegewezen rollen')).toEqual([
      'Organisatiegegevens inzien',
      'Contactpersonen beheren',
      'Facturen inzien',
    ]);
    expect(await page.getByRole('status').last().innerText()).toContain('Facturen inzien');

    // And back: select "Facturen inzien" in "Toegewezen rollen" and press >>.
    await roles.tabTo('Toegewezen rollen', true);
    await roles.arrowTo('Facturen inzien');
    await roles.tabTo('Uitzetten');
    await page.keyboard.press('Space');
    expect(await roles.options('Toegewezen rollen')).toEqual(['Organisatiegegevens inzien', 'Contactpersonen beheren']);

    await roles.tabTo('OK');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${e2e.url}/contacts/${geert.id}/roles`);
    const body = await page.locator('main').innerText();
    expect(body).toContain('De rollen zijn opgeslagen.');
    expect(body).toContain('Contactpersonen beheren');
    const held = (await e2e.db.prisma.contactRole.findMany({ where: { contactId: geert.id } }))
      .map((r) => r.role)
      .sort();
    expect(held).toEqual(['MANAGE_CONTACTS', 'VIEW_ORGANIZATION']);
    expect(page.consoleErrors).toEqual([]);
    await page.close();
  });

  it('the contacts list: the purple action menu opens and leads to the details', async () => {
    const page = await e2e.browser.newPage({ locale: 'nl-NL' });
    const login = new LoginPage(page);
    await login.open(e2e.url);
    await login.logIn('j.jansen@vtel.nl', DEMO_PASSWORD);
    await page.waitForURL(`${e2e.url}/`);
    await page.goto(`${e2e.url}/contacts`);
    expect(await page.locator('.result-bar').innerText()).toContain('6 gevonden');
    await page.getByLabel('Acties voor Henk Bakker').click();
    await page.getByRole('link', { name: 'details' }).first().click();
    await expect(page.locator('h1').innerText()).resolves.toBe('Contactpersoon: Henk Bakker');
    await page.screenshot({ path: 'test-results/contact-details.png', fullPage: true });
    await page.close();
  });
});
