/** Types of scripts/memory-settings.mjs (plain JavaScript, run by node before any build). */
export declare const DEFAULT_HEAP_LIMIT_MB: number;
/** V8's heap growing percent without PIM_HEAP_GROWING_PERCENT. */
export declare const DEFAULT_HEAP_GROWING_PERCENT: number;
/** glibc's malloc variables and their defaults. */
export declare const MALLOC_DEFAULTS: Record<string, string>;
/** PIM_MEMORY_SETTINGS in the relaunched portal. */
export declare const APPLIED: string;
/** What the portal's process needs beyond what it was started with, or null. */
export declare function memorySettings(
  env: Record<string, string | undefined>,
  execArgv: readonly string[],
  v8Options: string,
): { flags: string[]; env: Record<string, string> } | null;
