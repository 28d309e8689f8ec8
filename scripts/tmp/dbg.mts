import { launchBrowser } from '../../tests/support/browser.ts';
const b = await launchBrowser();
const p = await b.newPage({ locale: 'nl-NL' });
p.setDefaultTimeout(3000);
await p.goto('http://127.0.0.1:3100/login');
for (const [name, exact] of [['Gebruikersnaam', false], ['Wachtwoord', true]] as const) {
  console.log(name, await p.getByLabel(name, { exact }).count());
}
console.log(await p.getByRole('button', { name: 'Inloggen' }).count());
console.log(await p.getByRole('heading', { name: 'Welkom' }).count());
await b.close();
