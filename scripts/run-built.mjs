// `npm start` and `npm run pim`: make sure dist/ is built from the current sources (build it
// on the first start after a clone, a pull or an edit; see scripts/build.mjs), then run the
// built JavaScript in this very process, so the staff tool's signals, exit codes and process id
// are its own.
//
// The portal first gets its memory settings (scripts/memory-settings.mjs). When the
// environment lacks them, node is started once more with them: this process then only passes
// signals on (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR2) and ends as the portal ends (its exit
// code, or the same signal); the portal is its child and stops when it dies.
//
//   node scripts/run-built.mjs server           the portal (dist/server.js)
//   node scripts/run-built.mjs cli [args...]    the staff tool (dist/cli/index.js)
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIST, ensureBuilt } from './build.mjs';
import { APPLIED, memorySettings } from './memory-settings.mjs';

const ENTRIES = { server: 'server.js', cli: path.join('cli', 'index.js') };
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];
/** Signals whose default action dumps core (signal(7)). */
const CORE_SIGNALS = new Set([
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGILL',
  'SIGQUIT',
  'SIGSEGV',
  'SIGSYS',
  'SIGTRAP',
  'SIGXCPU',
  'SIGXFSZ',
]);
const [entry, ...args] = process.argv.slice(2);
if (!entry || !(entry in ENTRIES)) {
  console.error(`usage: node scripts/run-built.mjs ${Object.keys(ENTRIES).join('|')} [args...]`);
  process.exit(2);
}

/** Runs this script again in a node started with the settings, and mirrors its end. */
function relaunch(settings) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...settings.flags, fileURLToPath(import.meta.url), entry, ...args],
    {
      // The channel only tells the portal when this process is gone.
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...settings.env, PIM_MEMORY_SETTINGS: APPLIED },
    },
  );
  for (const signal of FORWARDED) process.on(signal, () => child.kill(signal));
  child.once('error', (e) => {
    console.error(`cannot start the portal: ${e.message}`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    if (code !== null) process.exit(code);
    // A crash (SIGABRT: out of heap; SIGSEGV...) left its core dump already: the launcher ends with the
    // shell's code for it rather than dump a second, useless core of its own.
    if (CORE_SIGNALS.has(signal)) process.exit(128 + (os.constants.signals[signal] ?? 0));
    // Ended by a signal: end the same way, so a supervisor sees what the portal saw.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    // As PID 1 (a container without init) the kernel ignores that signal: end with the shell's code for it.
    process.exit(128 + (os.constants.signals[signal] ?? 0));
  });
}

/** Builds dist/ when needed, then runs the entry in this process. */
async function run() {
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
}

let settings = null;
if (entry === 'server') {
  try {
    const relaunched = process.env.PIM_MEMORY_SETTINGS === APPLIED;
    const v8Options = relaunched ? '' : execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    settings = memorySettings(process.env, process.execArgv, v8Options);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
if (settings) relaunch(settings);
else {
  if (process.env.PIM_MEMORY_SETTINGS === APPLIED && process.channel) {
    // Relaunched: when the parent dies (even by SIGKILL) the channel closes; stop as on SIGTERM.
    process.channel.unref();
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }
  await run();
}
