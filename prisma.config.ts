// Prisma 7 CLI configuration. The app itself never runs the Prisma CLI at run time:
// migrations are applied by src/db/migrator.ts (see README, "Migrations").
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
