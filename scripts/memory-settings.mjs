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
 * variable or flag the operator set wins. Throws on a PIM_HEAP_LIMIT_MB that is not a number of MB.
 */
export function memorySettings(env, execArgv) {
  if (env.PIM_MEMORY_SETTINGS === 'off' || env.PIM_MEMORY_SETTINGS === APPLIED) return null;
  if (env.PIM_MEMORY_SETTINGS !== undefined && env.PIM_MEMORY_SETTINGS !== '')
    throw new Error(`PIM_MEMORY_SETTINGS: "off" or unset, not "${env.PIM_MEMORY_SETTINGS}"`);
  const limit = (env.PIM_HEAP_LIMIT_MB ?? '').trim();
  if (limit !== '' && limit !== 'off' && !(/^\d+$/.test(limit) && Number(limit) >= 64))
    throw new Error(`PIM_HEAP_LIMIT_MB: a number of MB (at least 64) or "off", not "${limit}"`);
  const flags = [];
  if (limit !== 'off' && !hasFlag('--max-old-space-size', env, execArgv))
    flags.push(`--max-old-space-size=${limit || DEFAULT_HEAP_LIMIT_MB}`);
  const vars = Object.fromEntries(Object.entries(MALLOC_DEFAULTS).filter(([k]) => env[k] === undefined));
  return flags.length || Object.keys(vars).length ? { flags, env: vars } : null;
}
