// The production build: `tsc -p tsconfig.build.json` from src/ to dist/ (same folder depth, so
// src's `import.meta.dirname` paths to views/, locales/, public/ and prisma/migrations hold in
// dist too). dist/.build-hash records the hash of the sources it was built from; `npm start`
// and `npm run pim` rebuild when it differs (scripts/run-built.mjs).
//
//   node scripts/build.mjs          build now (npm run build; the Dockerfile runs this)
//   node scripts/build.mjs --check  exit 0 when dist/ is current, 1 when it would be rebuilt
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root folder. */
export const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** Where the built JavaScript lives. */
export const DIST = path.join(ROOT, 'dist');
const STAMP = '.build-hash';

function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/**
 * SHA-256 over everything the build's output depends on: every file under src/ (names and
 * contents, so an added, removed or changed file counts, whatever its modification time), the
 * two tsconfig files and the compiler's version.
 */
export function sourceHash() {
  const h = createHash('sha256');
  const files = [
    ...filesUnder(path.join(ROOT, 'src')),
    path.join(ROOT, 'tsconfig.json'),
    path.join(ROOT, 'tsconfig.build.json'),
  ];
  for (const file of files.sort()) {
    h.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  h.update(compilerVersion() ?? 'no compiler');
  return h.digest('hex');
}

function compilerVersion() {
  const pkg = path.join(ROOT, 'node_modules', 'typescript', 'package.json');
  return existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')).version : undefined;
}

/** The hash dist/ was built from, or undefined when there is no complete build. */
export function builtHash() {
  const file = path.join(DIST, STAMP);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/**
 * Compiles into a private folder next to dist/ and swaps it in, so a second start building
 * at the same moment, or a server still running from the old dist/, never sees half a build.
 */
export function build(log = (line) => process.stderr.write(line + '\n')) {
  if (!compilerVersion()) {
    throw new Error(
      'dist/ is missing or out of date and TypeScript is not installed: run `npm install` (with dev dependencies), then `npm run build`.',
    );
  }
  const hash = sourceHash();
  const tmp = path.join(ROOT, `dist.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const started = Date.now();
  log('Building dist/ from src/ (tsc -p tsconfig.build.json)...');
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const res = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', tmp], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (res.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error('The build failed (the TypeScript errors are above); dist/ was left as it was.');
  }
  writeFileSync(path.join(tmp, STAMP), hash + '\n');
  const old = path.join(ROOT, `dist.old-${process.pid}`);
  if (existsSync(DIST)) renameSync(DIST, old);
  try {
    renameSync(tmp, DIST);
  } catch (e) {
    // Another start swapped in its build between our two renames: keep that one.
    if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  log(`Built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/** Builds when dist/ is missing or was built from other sources; returns whether it built. */
export function ensureBuilt(log) {
  if (existsSync(path.join(ROOT, 'src')) && builtHash() !== sourceHash()) {
    build(log);
    return true;
  }
  if (!existsSync(path.join(DIST, 'server.js')))
    throw new Error('dist/ is missing and there are no sources to build it from.');
  return false;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--check')) process.exit(builtHash() === sourceHash() ? 0 : 1);
    build((line) => console.log(line));
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
