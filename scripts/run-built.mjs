// `npm start` and `npm run pim`: make sure dist/ is built from the current sources (build it
// on the first start after a clone, a pull or an edit; see scripts/build.mjs), then run the
// built JavaScript in this very process, so signals, exit codes and the process id are the
// server's (or the staff tool's) own.
//
//   node scripts/run-built.mjs server           the portal (dist/server.js)
//   node scripts/run-built.mjs cli [args...]    the staff tool (dist/cli/index.js)
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, ensureBuilt } from './build.mjs';

const ENTRIES = { server: 'server.js', cli: path.join('cli', 'index.js') };
const [entry, ...args] = process.argv.slice(2);
if (!entry || !(entry in ENTRIES)) {
  console.error(`usage: node scripts/run-built.mjs ${Object.keys(ENTRIES).join('|')} [args...]`);
  process.exit(2);
}
try {
  // Build messages go to stderr: the staff tool's standard output stays its own.
  ensureBuilt((line) => process.stderr.write(line + '\n'));
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
process.setSourceMapsEnabled(true);
const file = path.join(DIST, ENTRIES[entry]);
// The entry reads its arguments from process.argv as if node had started it directly.
process.argv = [process.argv[0], file, ...args];
await import(pathToFileURL(file).href);
