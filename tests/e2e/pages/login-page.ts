import type { Page } from 'playwright-core';

/** The login page, as a person uses it: by its labels. */
export class LoginPage {
  constructor(private readonly page: Page) {}

  async open(baseUrl: string): Promise<void> {
    await this.page.goto(`${baseUrl}/login`);
  }

  async logIn(username: string, password: string): Promise<void> {
    await this.page.getByLabel('Gebruikersnaam').fill(username);
    await this.page.getByLabel('Wachtwoord').fill(password);
    await this.page.getByRole('button', { name: 'Inloggen', exact: true }).click();
  }
}
