import type { Locator, Page } from 'playwright-core';

/** A ticket's detail page, as a person uses it: by its link, dialog and labels. */
export class TicketPage {
  constructor(private readonly page: Page) {}

  async open(baseUrl: string, id: number): Promise<void> {
    await this.page.goto(`${baseUrl}/tickets/${id}`);
  }

  addNoteLink(): Locator {
    return this.page.getByRole('link', { name: 'Aanvulling toevoegen »' });
  }

  dialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Ticket aanvulling toevoegen' });
  }

  async writeNote(text: string): Promise<void> {
    await this.dialog().getByLabel('Omschrijving').fill(text);
    await this.dialog().getByRole('button', { name: 'OK' }).click();
  }
}
