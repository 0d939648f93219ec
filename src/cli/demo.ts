/**
 * The demo producer of `sluice start`: `user.created` events at a steady rate, over the lanes in
 * turn, and a summary line every `summaryMs` (what was emitted, completed, failed), never a line
 * per job.
 *
 * @module
 */
import type { Engine } from "../engine.ts";
import { LANES } from "../job/lanes.ts";
import type { Logger } from "../job/logger.ts";

/** Starts producing `rate` events per second on `engine`; returns the function that stops it. */
export function startDemo(
  engine: Engine,
  rate: number,
  logger: Logger,
  summaryMs = 10_000,
): () => void {
  if (rate <= 0) return () => {};
  const counts = { emitted: 0, emitFailed: 0, completed: 0, failed: 0, dead: 0 };
  let lastError = "";
  let n = 0;
  const produce = async () => {
    const lane = LANES[n % LANES.length]!;
    n++;
    try {
      await engine.emit("user.created", { to: `user${n}@example.com`, name: `User ${n}` }, {
        priority: lane,
      });
      counts.emitted++;
    } catch (error) {
      counts.emitFailed++;
      lastError = String(error);
    }
  };
  const offs = [
    engine.on("completed", () => counts.completed++),
    engine.on("failed", (e) => e.state === "dead" ? counts.dead++ : counts.failed++),
  ];
  const timer = setInterval(produce, 1_000 / rate);
  const summary = setInterval(() => {
    if (Object.values(counts).every((v) => v === 0)) return;
    logger.info(`demo: the last ${summaryMs / 1000} s`, {
      ...counts,
      ...(counts.emitFailed ? { lastError } : {}),
    });
    for (const key of Object.keys(counts) as (keyof typeof counts)[]) counts[key] = 0;
  }, summaryMs);
  logger.info(`demo producer: ${rate} user.created event(s) per second (--demo-rate 0: off)`);
  return () => {
    clearInterval(timer);
    clearInterval(summary);
    for (const off of offs) off();
  };
}
