import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2e, type E2e } from '../support/e2e.js';
import { MyDataPages } from './pages/my-data-pages.js';
import { DEMO_ORGANIZATION, DEMO_PASSWORD } from '../../src/demo/seed.js';

let e2e: E2e;

beforeAll(async () => {
  e2e = await startE2e();
});
afterAll(() => e2e?.close());

describe('Mijn gegevens in Chromium', () => {
  it('the demo main contact walks Organisatie, Persoonlijk, changes the password by keyboard and finds it under Activiteiten', async () => {
    const page = await e2e.logInAsDemo();
    const my = new MyDataPages(page);

    // Organisatie: the manual's "2 gevonden Actief ja" with the main organisation and its subsidiary.
    await my.openFromMenu('Organisatie');
    expect(await page.locator('.result-bar').innerText()).toMatch(/2 gevonden\s+Actief › ja/);
    const rows = await my.tableRows();
    expect(rows[0]).toContain(DEMO_ORGANIZATION);
    expect(rows[0]).toContain('Pantheon 2, Enschede, Nederland');
    expect(rows[0]).toContain('0884800900');
    expect(rows[1]).toContain(`${DEMO_ORGANIZATION} Dochter`);
    expect(await page.getByRole('img', { name: 'Hoofdorganisatie' }).count()).toBe(1);
    expect(await page.getByRole('img', { name: 'Dochterorganisatie' }).count()).toBe(1);
    await page.screenshot({ path: 'test-results/organisations.png', fullPage: true });

    await page.getByRole('link', { name: DEMO_ORGANIZATION, exact: true }).click();
    const detail = await page.locator('main').innerText();
    expect(detail).toContain('Dhr. Jan Jansen');
    expect(detail).toContain(
      'Indien u wijzigingen in deze gegevens wilt doorgeven vragen wij u contact op te nemen met Vcare.',
    );
    await page.screenshot({ path: 'test-results/organisation.png', fullPage: true });
    await page.getByRole('link', { name: /^Dochters/ }).click();
    expect(await my.tableRows()).toHaveLength(1);

    // Persoonlijk, with "Toon lege velden".
    await my.openFromMenu('Persoonlijk');
    expect(await page.locator('main').innerText()).not.toContain('Tussenvoegsel');
    await page.getByRole('link', { name: 'Toon lege velden' }).click();
    expect(await page.locator('main').innerText()).toContain('Tussenvoegsel');
    await page.screenshot({ path: 'test-results/profile.png', fullPage: true });

    // PIM Wachtwoord wijzigen, keyboard only.
    await page.getByRole('link', { name: 'PIM Wachtwoord wijzigen »' }).click();
    await my.changePasswordByKeyboard(DEMO_PASSWORD, 'een nieuwe wachtzin voor jan');
    await page.waitForURL(`${e2e.url}/profile/security`);
    expect(await page.getByRole('status').or(page.locator('.notice--success')).first().innerText()).toContain(
      'Uw wachtwoord is gewijzigd.',
    );

    // Activiteiten shows it.
    await my.openFromMenu('Activiteiten');
    expect((await my.tableRows())[0]).toContain('Jan Jansen heeft het eigen wachtwoord gewijzigd.');
    await page.getByLabel('Soort').selectOption({ label: 'Wachtwoord gewijzigd' });
    await page.getByRole('button', { name: 'Zoeken' }).click();
    expect(await page.locator('.result-bar').innerText()).toMatch(/1 gevonden\s+Soort › Wachtwoord gewijzigd/);
    await page.screenshot({ path: 'test-results/activity.png', fullPage: true });
    expect(page.consoleErrors).toEqual([]);
  });
});
