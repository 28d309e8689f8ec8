import type { Page } from 'playwright-core';

/** The "Mijn gegevens" pages, as a person uses them: by menu, links and labels. */
export class MyDataPages {
  constructor(private readonly page: Page) {}

  /** Follows a menu item ("Organisatie", "Persoonlijk", "Activiteiten"). */
  async openFromMenu(label: string): Promise<void> {
    // The menu draws a "› " before each item (CSS), which is part of the accessible name.
    await this.page
      .getByRole('navigation', { name: 'Hoofdmenu' })
      .getByRole('link', { name: new RegExp(`^(› )?${label}$`) })
      .click();
  }

  /** The rows of the page's table as their visible text. */
  async tableRows(): Promise<string[]> {
    return this.page.locator('tbody tr').allInnerTexts();
  }

  /** Fills "PIM Wachtwoord wijzigen" with the keyboard alone and submits it with Enter. */
  async changePasswordByKeyboard(current: string, next: string): Promise<void> {
    await this.page.getByLabel('Huidig wachtwoord').focus();
    await this.page.keyboard.type(current);
    await this.page.keyboard.press('Tab');
    await this.page.keyboard.type(next);
    await this.page.keyboard.press('Tab');
    await this.page.keyboard.type(next);
    await this.page.keyboard.press('Enter');
  }
}
