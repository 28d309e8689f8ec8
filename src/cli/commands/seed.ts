import type { Command } from 'commander';
import { DEMO_LOGIN, DEMO_PASSWORD } from '../../demo/seed.js';
import { staffActor, type CliDeps } from '../validate.js';

/** Registers `seed:demo`. */
export function registerSeedCommands(program: Command, ctx: CliDeps): void {
  program
    .command('seed:demo')
    .description("load the user manual's demo data (only into a database without organisations)")
    .action(async () => {
      const { loaded } = await ctx.services.demo.seed(staffActor());
      ctx.out(
        loaded
          ? `demo data loaded: log in at ${ctx.baseUrl}/login as ${DEMO_LOGIN} with password ${DEMO_PASSWORD}`
          : 'demo data not loaded: the database already has organisations',
      );
    });
}
