import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HEAP_GROWING_PERCENT,
  DEFAULT_HEAP_LIMIT_MB,
  memorySettings as settingsFor,
} from '../../scripts/memory-settings.mjs';

/** As on a node whose V8 knows --heap-growing-percent (`node --v8-options` lists it). */
const V8 = '  --heap-growing-percent (specifies heap growing factor as (1 + heap_growing_percent/100))';
const memorySettings = (env: Record<string, string | undefined>, execArgv: string[], v8 = V8) =>
  settingsFor(env, execArgv, v8);
const GROWING = `--heap-growing-percent=${DEFAULT_HEAP_GROWING_PERCENT}`;

describe('the memory settings npm start gives the portal (scripts/memory-settings.mjs)', () => {
  it('adds the heap limit and both malloc variables to a bare environment', () => {
    expect(memorySettings({}, [])).toEqual({
      flags: [`--max-old-space-size=${DEFAULT_HEAP_LIMIT_MB}`, GROWING],
      env: { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' },
    });
    // A V8 without the growing flag is not given it: node would refuse to start.
    expect(memorySettings({}, [], '')?.flags).toEqual([`--max-old-space-size=${DEFAULT_HEAP_LIMIT_MB}`]);
  });

  it("takes PIM_HEAP_LIMIT_MB, and leaves the operator's own variables and flags alone", () => {
    expect(memorySettings({ PIM_HEAP_LIMIT_MB: '384', MALLOC_ARENA_MAX: '4' }, [])).toEqual({
      flags: ['--max-old-space-size=384', GROWING],
      env: { MALLOC_MMAP_THRESHOLD_: '131072' },
    });
    expect(memorySettings({ NODE_OPTIONS: '--max_old_space_size=512', PIM_HEAP_LIMIT_MB: '384' }, [])?.flags).toEqual([
      GROWING,
    ]);
    expect(memorySettings({}, ['--max-old-space-size=100', '--heap-growing-percent=20'])?.flags).toEqual([]);
    expect(memorySettings({ PIM_HEAP_LIMIT_MB: 'off', PIM_HEAP_GROWING_PERCENT: '80' }, [])?.flags).toEqual([
      '--heap-growing-percent=80',
    ]);
    expect(memorySettings({ PIM_HEAP_GROWING_PERCENT: 'off' }, [])?.flags).toEqual([
      `--max-old-space-size=${DEFAULT_HEAP_LIMIT_MB}`,
    ]);
  });

  it('asks for no relaunch when nothing is missing, when switched off, or once relaunched', () => {
    const all = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };
    expect(memorySettings({ ...all, PIM_HEAP_LIMIT_MB: 'off', PIM_HEAP_GROWING_PERCENT: 'off' }, [])).toBeNull();
    expect(memorySettings(all, ['--max-old-space-size=256', GROWING])).toBeNull();
    expect(memorySettings({ PIM_MEMORY_SETTINGS: 'off' }, [])).toBeNull();
    expect(memorySettings({ PIM_MEMORY_SETTINGS: 'applied' }, [])).toBeNull();
  });

  it('refuses a limit that is not a number of MB, naming the variable', () => {
    expect(() => memorySettings({ PIM_HEAP_LIMIT_MB: '256MB' }, [])).toThrow(/PIM_HEAP_LIMIT_MB/);
    expect(() => memorySettings({ PIM_HEAP_LIMIT_MB: '16' }, [])).toThrow(/at least 64/);
    expect(() => memorySettings({ PIM_MEMORY_SETTINGS: 'no' }, [])).toThrow(/PIM_MEMORY_SETTINGS/);
    expect(() => memorySettings({ PIM_HEAP_GROWING_PERCENT: '0' }, [])).toThrow(/PIM_HEAP_GROWING_PERCENT/);
  });
});
