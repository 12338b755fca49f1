import type { Logger } from "pino";

/**
 * Work that must happen after the webhook has been answered (acknowledgements,
 * replies): a GitHub write inside the handler would hold the delivery open
 * behind Probot's write throttling.
 */
export interface BackgroundTasks {
  run(name: string, task: () => Promise<unknown>): void;
  /** Resolves when every task started so far has settled. */
  settled(): Promise<void>;
}

/**
 * At most `concurrency` tasks run at once; the others wait as plain closures.
 * GitHub writes are paced at one per second per installation by Octokit's
 * throttle anyway, so starting every task at once would gain nothing: under a
 * burst of deliveries it only builds a queue of in-flight requests (Octokit
 * hooks, throttle timers) whose upkeep the webhook requests pay for.
 */
export function createBackgroundTasks(log: Logger, options: { concurrency?: number } = {}): BackgroundTasks {
  const concurrency = options.concurrency ?? 4;
  const waiting: { name: string; task: () => Promise<unknown>; done: () => void }[] = [];
  const pending = new Set<Promise<unknown>>();
  let running = 0;
  const start = () => {
    while (running < concurrency && waiting.length > 0) {
      const next = waiting.shift()!;
      running += 1;
      // A task that throws at once is caught like one that rejects.
      void Promise.resolve()
        .then(next.task)
        .catch((error: unknown) => log.error({ err: error, task: next.name }, "background task failed"))
        .finally(() => {
          running -= 1;
          next.done();
          start();
        });
    }
  };
  return {
    run(name, task) {
      const p: Promise<unknown> = new Promise<void>((done) => {
        waiting.push({ name, task, done });
        // After the response: the handler's caller answers first.
        setImmediate(start);
      }).finally(() => pending.delete(p));
      pending.add(p);
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
