// The memory settings `npm start` gives the portal (docs/configuration.md#memory). glibc reads
// its malloc variables when the process starts, and V8 its heap limit, so they cannot be set
// from inside the running portal: scripts/run-built.mjs starts node once more with them.
//
// Why these (docs/benchmarks.md#memory): without them the portal held 400-760 MB under load.
// V8 lets garbage pile up while its heap may still grow (its default limit is gigabytes);
// glibc gives every thread that allocates (libuv's pool: argon2's 19 MB per password hash; V8's
// compiler and GC threads) an arena of its own, and after the first 19 MB block is freed it
// raises its mmap and trim thresholds, so those blocks stay resident in every arena.

/** The V8 old-space limit in MB without PIM_HEAP_LIMIT_MB: the portal's ~55 MB and two 50,000-row exports at once. */
export const DEFAULT_HEAP_LIMIT_MB = 256;

/**
 * V8 runs a full collection once its old space has grown this many percent over what the last
 * one left. With V8's own factor under the 256 MB limit, full collections were frequent enough
 * to cost ~15% more CPU per page than no limit; with 50% the CPU was as without a limit.
 */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** glibc's: two arenas; large blocks (argon2's) always mapped and given back, so the thresholds never grow. */
export const MALLOC_DEFAULTS = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };

/** Set in the relaunched portal's environment: it is not relaunched again. */
export const APPLIED = 'applied';

/** Whether a node or V8 flag is already given on the command line or in NODE_OPTIONS (V8 accepts `_` for `-`). */
function hasFlag(name, env, execArgv) {
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((a) => {
    const flag = a.split('=')[0].replace(/_/g, '-');
    return flag === name;
  });
}

/**
 * What the portal's process needs beyond what it was started with: extra node flags and
 * environment variables, or null when nothing is missing (or PIM_MEMORY_SETTINGS=off). A
 * variable or flag the operator set wins. `v8Options` is `node --v8-options`' text: a V8 flag it
 * does not list is not given (node would refuse to start). Throws on a bad PIM_HEAP_* value.
 */
export function memorySettings(env, execArgv, v8Options) {
  if (env.PIM_MEMORY_SETTINGS === 'off' || env.PIM_MEMORY_SETTINGS === APPLIED) return null;
  if (env.PIM_MEMORY_SETTINGS !== undefined && env.PIM_MEMORY_SETTINGS !== '')
    throw new Error(`PIM_MEMORY_SETTINGS: "off" or unset, not "${env.PIM_MEMORY_SETTINGS}"`);
  const limit = (env.PIM_HEAP_LIMIT_MB ?? '').trim();
  if (limit !== '' && limit !== 'off' && !(/^\d+$/.test(limit) && Number(limit) >= 64))
    throw new Error(`PIM_HEAP_LIMIT_MB: a number of MB (at least 64) or "off", not "${limit}"`);
  const growing = (env.PIM_HEAP_GROWING_PERCENT ?? '').trim();
  if (
    growing !== '' &&
    growing !== 'off' &&
    !(/^\d+$/.test(growing) && Number(growing) >= 1 && Number(growing) <= 1000)
  )
    throw new Error(`PIM_HEAP_GROWING_PERCENT: a number from 1 to 1000 or "off", not "${growing}"`);
  const flags = [];
  if (limit !== 'off' && !hasFlag('--max-old-space-size', env, execArgv))
    flags.push(`--max-old-space-size=${limit || DEFAULT_HEAP_LIMIT_MB}`);
  // Not allowed in NODE_OPTIONS: only the command line can carry it.
  if (
    growing !== 'off' &&
    !hasFlag('--heap-growing-percent', {}, execArgv) &&
    v8Options.includes('--heap-growing-percent')
  )
    flags.push(`--heap-growing-percent=${growing || DEFAULT_HEAP_GROWING_PERCENT}`);
  const vars = Object.fromEntries(Object.entries(MALLOC_DEFAULTS).filter(([k]) => env[k] === undefined));
  return flags.length || Object.keys(vars).length ? { flags, env: vars } : null;
}
