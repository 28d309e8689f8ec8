// Runs `prisma generate` without Prisma's native schema engine.
//
// Prisma's CLI wants to download a schema-engine binary before generate, migrate and db
// commands. These machines cannot download binaries, and generation does not use the
// engine at all, so PRISMA_SCHEMA_ENGINE_BINARY points at a stub that explains itself if
// anything ever runs it. Migrations are plain SQL applied by src/db/migrator.ts.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stub = path.join(root, 'scripts', 'schema-engine-stub.sh');
if (existsSync(stub)) chmodSync(stub, 0o755);
const bin = path.join(root, 'node_modules', '.bin', 'prisma');
if (!existsSync(bin)) {
  console.log('prisma CLI not installed (production install?): skipping generate');
  process.exit(0);
}
const res = spawnSync(bin, ['generate'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    PRISMA_SCHEMA_ENGINE_BINARY: stub,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
    ...process.env,
  },
});
process.exit(res.status ?? 1);
