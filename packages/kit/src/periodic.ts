import type { Logger } from './logger.js';

export interface PeriodicTask {
  stop(): Promise<void>;
}

/**
 * Runs `task` about every `intervalMs` (jittered ±25 %, so replicas started
 * together spread out), never overlapping itself. A failure is logged and the
 * next run comes as usual. `stop()` waits for a run in progress.
 */
export function runPeriodically(
  name: string,
  intervalMs: number,
  task: () => Promise<unknown>,
  logger: Logger,
): PeriodicTask {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        running = task()
          .then(
            () => undefined,
            (error: unknown) => logger.error({ err: error, task: name }, 'periodic task failed'),
          )
          .finally(() => {
            running = undefined;
            schedule();
          });
      },
      intervalMs * (0.75 + Math.random() / 2),
    );
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
