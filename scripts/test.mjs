// `npm test`: type-check, lint (ESLint, then Prettier's check), then every test (unit,
// integration, browser) with vitest. The cheap checks go first so a slip fails in a minute.
import { spawnSync } from 'node:child_process';

const run = (cmd, args) => {
  const res = spawnSync(cmd, args, { stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
};
run('npx', ['tsc', '--noEmit', '-p', '.']);
run('npx', ['eslint', '.']);
run('npx', ['prettier', '--check', '.', '--log-level', 'warn']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
