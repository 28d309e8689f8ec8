import { log } from '../log.js';

/** A running worker loop: `kick()` asks for a run now, `stop()` ends the loop after the current run. */
export interface WorkerLoop {
  /** Runs the job soon; resolves when a run that started after this call has finished. */
  kick(): Promise<void>;
  /** No more runs; aborts the running one's signal and resolves when it has finished. */
  stop(): Promise<void>;
}

/** What a loop runs, how often, and the name its errors are logged under. */
export interface WorkerLoopOptions {
  name: string;
  intervalMs: number;
  /** `signal` is aborted by `stop()`: a long run (a mailbox's backlog) ends after the item in hand. */
  run: (signal: AbortSignal) => Promise<unknown>;
}

/**
 * Runs `run` every `intervalMs` and on `kick()`, never two at once: a tick or kick during a run
 * asks for one more run after it (however many arrive), so a slow run never piles up a queue.
 * A failed run is logged and the loop goes on; the outboxes' rows carry their own retries.
 */
export function startWorkerLoop(opts: WorkerLoopOptions): WorkerLoop {
  let stopped = false;
  const stopping = new AbortController();
  let current: Promise<void> | null = null;
  let again: Promise<void> | null = null;

  const once = (): Promise<void> =>
    opts
      .run(stopping.signal)
      .then(() => undefined)
      .catch((err: unknown) => log.error(opts.name, err));

  const kick = (): Promise<void> => {
    if (stopped) return current ?? Promise.resolve();
    if (!current) {
      current = once().finally(() => {
        current = null;
      });
      return current;
    }
    // A run is under way: what was asked now may have arrived after it read its rows, so run once more.
    again ??= current.then(() => {
      again = null;
      return kick();
    });
    return again;
  };

  const timer = setInterval(() => void kick(), opts.intervalMs);
  timer.unref();
  return {
    kick,
    async stop() {
      stopped = true;
      stopping.abort();
      clearInterval(timer);
      await (again ?? current);
    },
  };
}
