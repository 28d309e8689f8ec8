import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_LIMIT_MB, memorySettings } from '../../scripts/memory-settings.mjs';

describe('the memory settings npm start gives the portal (scripts/memory-settings.mjs)', () => {
  it('adds the heap limit and both malloc variables to a bare environment', () => {
    expect(memorySettings({}, [])).toEqual({
      flags: [`--max-old-space-size=${DEFAULT_HEAP_LIMIT_MB}`],
      env: { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' },
    });
  });

  it("takes PIM_HEAP_LIMIT_MB, and leaves the operator's own variables and flags alone", () => {
    expect(memorySettings({ PIM_HEAP_LIMIT_MB: '384', MALLOC_ARENA_MAX: '4' }, [])).toEqual({
      flags: ['--max-old-space-size=384'],
      env: { MALLOC_MMAP_THRESHOLD_: '131072' },
    });
    expect(memorySettings({ NODE_OPTIONS: '--max_old_space_size=512', PIM_HEAP_LIMIT_MB: '384' }, [])?.flags).toEqual(
      [],
    );
    expect(memorySettings({}, ['--max-old-space-size=100'])?.flags).toEqual([]);
    expect(memorySettings({ PIM_HEAP_LIMIT_MB: 'off' }, [])?.flags).toEqual([]);
  });

  it('asks for no relaunch when nothing is missing, when switched off, or once relaunched', () => {
    const all = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };
    expect(memorySettings({ ...all, PIM_HEAP_LIMIT_MB: 'off' }, [])).toBeNull();
    expect(memorySettings(all, ['--max-old-space-size=256'])).toBeNull();
    expect(memorySettings({ PIM_MEMORY_SETTINGS: 'off' }, [])).toBeNull();
    expect(memorySettings({ PIM_MEMORY_SETTINGS: 'applied' }, [])).toBeNull();
  });

  it('refuses a limit that is not a number of MB, naming the variable', () => {
    expect(() => memorySettings({ PIM_HEAP_LIMIT_MB: '256MB' }, [])).toThrow(/PIM_HEAP_LIMIT_MB/);
    expect(() => memorySettings({ PIM_HEAP_LIMIT_MB: '16' }, [])).toThrow(/at least 64/);
    expect(() => memorySettings({ PIM_MEMORY_SETTINGS: 'no' }, [])).toThrow(/PIM_MEMORY_SETTINGS/);
  });
});
