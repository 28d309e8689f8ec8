import type { PrismaClient, Tx } from './client.js';

/** The seven applications of the manual's dashboard, in the manual's order. */
export const APPLICATIONS = [
  {
    code: 'OPERATOR',
    name: 'Operator',
    descriptionNl: 'Geïntegreerd bellen en doorverbinden via de PC',
    descriptionEn: 'Integrated calling and call transfer from your PC',
    url: 'https://operator.vcareconnect.nl',
  },
  {
    code: 'WALLDISPLAY',
    name: 'Walldisplay',
    descriptionNl: 'Live uw bereikbaarheid volgen en sturen',
    descriptionEn: 'Follow and steer your availability live',
    url: 'https://walldisplay.vcareconnect.nl',
  },
  {
    code: 'RECORDER',
    name: 'Recorder',
    descriptionNl: 'Veilig gesprekken opnemen en analyseren',
    descriptionEn: 'Record and analyse calls securely',
    url: 'https://recorder.vcareconnect.nl',
  },
  {
    code: 'SCHEDULER',
    name: 'Scheduler',
    descriptionNl: 'Automatische planning van uw bereikbaarheid',
    descriptionEn: 'Automatic planning of your availability',
    url: 'https://scheduler.vcareconnect.nl',
  },
  {
    code: 'REPORTER',
    name: 'Reporter',
    descriptionNl: 'Managementrapportage en dashboard',
    descriptionEn: 'Management reports and dashboard',
    url: 'https://reporter.vcareconnect.nl',
  },
  {
    code: 'PHARMA_REPEAT',
    name: 'Pharma repeat',
    descriptionNl: 'Veilig herhaalrecepten inspreken en beluisteren',
    descriptionEn: 'Record and listen to repeat prescriptions securely',
    url: 'https://pharmarepeat.vcareconnect.nl',
  },
  {
    code: 'REDIRECT',
    name: 'Redirect',
    // The manual gives Redirect the same line as Scheduler.
    descriptionNl: 'Automatische planning van uw bereikbaarheid',
    descriptionEn: 'Automatic planning of your availability',
    url: 'https://redirect.vcareconnect.nl',
  },
] as const;

/**
 * Makes sure the seven applications exist (upsert by code; an existing row is left as staff
 * edited it). Returns their ids by code.
 */
export async function ensureApplications(db: Tx | PrismaClient): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const [i, app] of APPLICATIONS.entries()) {
    const row = await db.application.upsert({
      where: { code: app.code },
      create: { ...app, position: i + 1 },
      update: {},
      select: { id: true },
    });
    ids.set(app.code, row.id);
  }
  return ids;
}
