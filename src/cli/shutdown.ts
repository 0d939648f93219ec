/**
 * Stopping a serving command: the first SIGINT or SIGTERM starts a graceful stop; from then on
 * the process has its drain time (plus a few seconds to hand jobs back) before it exits anyway,
 * whatever hangs; a second signal exits at once, or, when asked, hurries the stop along.
 *
 * @module
 */
import type { Logger } from "../job/logger.ts";

/** Time beyond the drain for handing jobs back and closing (ms). */
export const STOP_GRACE_MS = 5_000;

/** Options of `untilSignalled`. */
export interface SignalOptions {
  /** How long a graceful stop may take before the process exits (ms). */
  deadlineMs: number;
  /** Called at a second signal instead of exiting at once (it must end the stop quickly). */
  onSecond?: () => void;
}

/** Resolves with the first SIGINT or SIGTERM; see the module doc for what follows. */
export function untilSignalled(logger: Logger, options: SignalOptions): Promise<Deno.Signal> {
  const first = Promise.withResolvers<Deno.Signal>();
  let count = 0;
  // the listeners stay for the life of the process: a second signal must still be heard
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      count++;
      logger.info("signal", { signal, count });
      if (count === 1) {
        const timer = setTimeout(() => {
          logger.error("stopping took longer than allowed; exiting now", {
            deadlineMs: options.deadlineMs,
          });
          Deno.exit(1);
        }, options.deadlineMs);
        Deno.unrefTimer(timer);
        first.resolve(signal);
      } else if (options.onSecond && count === 2) {
        options.onSecond();
      } else {
        Deno.exit(130);
      }
    });
  }
  return first.promise;
}
