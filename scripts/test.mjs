// `npm test`: type-check, then every test (unit, integration, browser) with vitest.
import { spawnSync } from 'node:child_process';

const run = (cmd, args) => {
  const res = spawnSync(cmd, args, { stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
};
run('npx', ['tsc', '--noEmit', '-p', '.']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
