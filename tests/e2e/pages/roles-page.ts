import type { Page } from 'playwright-core';

/** "Rollen wijzigen" as a keyboard user works it: Tab to a list, arrows to pick, Tab to a button, Enter. */
export class RolesPage {
  constructor(private readonly page: Page) {}

  async open(baseUrl: string, contactId: number): Promise<void> {
    await this.page.goto(`${baseUrl}/contacts/${contactId}/roles/edit`);
  }

  /** The options of "Toegewezen rollen" or "Overige rollen", in order. */
  async options(list: 'Toegewezen rollen' | 'Overige rollen'): Promise<string[]> {
    return this.page.getByLabel(list).locator('option').allInnerTexts();
  }

  /** The accessible name of the focused element: its aria-label, its label, or its text. */
  async focused(): Promise<string> {
    const el = this.page.locator(':focus');
    if ((await el.count()) === 0) return '';
    const aria = await el.getAttribute('aria-label');
    const id = await el.getAttribute('id');
    const label = id
      ? await this.page
          .locator(`label[for="${id}"]`)
          .first()
          .textContent()
          .catch(() => null)
      : null;
    return (aria ?? label ?? (await el.textContent()) ?? '').trim();
  }

  /** Presses Tab (or Shift+Tab) until the focused element's name starts with `name`. */
  async tabTo(name: string, back = false): Promise<void> {
    for (let i = 0; i < 60; i++) {
      if ((await this.focused()).startsWith(name)) return;
      await this.page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    }
    throw new Error(`could not reach "${name}" with the keyboard`);
  }

  /** In the focused list: moves to the option `text` with the arrow keys (which selects it alone). */
  async arrowTo(text: string): Promise<void> {
    await this.page.keyboard.press('Home');
    for (let i = 0; i < 15; i++) {
      const selected = (await this.page.locator(':focus option:checked').allInnerTexts()).map((x) => x.trim());
      if (selected.length === 1 && selected[0]!.startsWith(text)) return;
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`option "${text}" not reached`);
  }
}
