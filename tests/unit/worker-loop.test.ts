import { describe, expect, it, vi } from 'vitest';
import { startWorkerLoop } from '../../src/jobs/worker-loop.js';
import { log } from '../../src/log.js';

/** A run the test finishes by hand. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return { done, open };
}

// The interval never fires during a test: every run here comes from kick().
const HOUR = 3_600_000;

describe('startWorkerLoop', () => {
  it('never runs twice at once: kicks during a run ask for exactly one more run after it', async () => {
    const gates = [gate(), gate()];
    let running = 0;
    let most = 0;
    let runs = 0;
    const loop = startWorkerLoop({
      name: 'test',
      intervalMs: HOUR,
      run: async () => {
        const g = gates[runs++]!;
        running++;
        most = Math.max(most, running);
        await g.done;
        running--;
      },
    });
    const first = loop.kick();
    const second = loop.kick();
    const third = loop.kick();
    expect(second).toBe(third);
    gates[0]!.open();
    await first;
    await vi.waitFor(() => expect(runs).toBe(2));
    gates[1]!.open();
    await second;
    expect(runs).toBe(2);
    expect(most).toBe(1);
    await loop.stop();
  });

  it('logs a failed run and goes on', async () => {
    const error = vi.spyOn(log, 'error').mockImplementation(() => {});
    let runs = 0;
    const loop = startWorkerLoop({
      name: 'test worker',
      intervalMs: HOUR,
      run: () => {
        runs++;
        return runs === 1 ? Promise.reject(new Error('SMTP down')) : Promise.resolve();
      },
    });
    await loop.kick();
    expect(error).toHaveBeenCalledWith('test worker', expect.objectContaining({ message: 'SMTP down' }));
    await loop.kick();
    expect(runs).toBe(2);
    await loop.stop();
    error.mockRestore();
  });

  it('stop waits for the run in progress and starts no new one', async () => {
    const g = gate();
    let finished = false;
    let runs = 0;
    const loop = startWorkerLoop({
      name: 'test',
      intervalMs: HOUR,
      run: async () => {
        runs++;
        await g.done;
        finished = true;
      },
    });
    void loop.kick();
    void loop.kick();
    const stopping = loop.stop();
    g.open();
    await stopping;
    expect(finished).toBe(true);
    await loop.kick();
    expect(runs).toBe(1);
  });

  it("stop aborts the running run's signal, so a long run can end after the item in hand", async () => {
    const seen: boolean[] = [];
    const g = gate();
    const loop = startWorkerLoop({
      name: 'test',
      intervalMs: HOUR,
      run: async (signal) => {
        seen.push(signal.aborted);
        await g.done;
        seen.push(signal.aborted);
      },
    });
    void loop.kick();
    const stopping = loop.stop();
    g.open();
    await stopping;
    expect(seen).toEqual([false, true]);
  });
});
