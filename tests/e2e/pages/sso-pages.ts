import type { Page } from 'playwright-core';

/** The test provider's sign-in form, as a person uses it. */
export class ProviderSignIn {
  constructor(private readonly page: Page) {}

  async signInAs(account: string): Promise<void> {
    await this.page.getByLabel('Account').fill(account);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }
}
