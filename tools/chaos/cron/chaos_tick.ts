/**
 * The chaos suite's cron function: a tick every second (missed ticks skipped), recorded in the
 * sink under `tick@<scheduled time>@<job id>`, so the leader scenario can count how often each
 * scheduled time fired.
 *
 * @module
 */
import { z } from "zod";
import { define } from "../../../mod.ts";
import { record } from "../sink.ts";

/** Records its run; the job id names the scheduled time. */
export const ChaosTick = define(
  {
    name: "chaos-tick",
    payload: z.object({}),
    queue: "chaos-ticks",
    cron: [{ name: "chaos-tick", pattern: "*/1 * * * * *", payload: {}, catchUp: "skip" }],
  },
  async (_payload, ctx) => {
    // one key per scheduled time and job: a tick fired twice shows as two jobs of one time
    const key = `tick@${ctx.scheduledAt}@${ctx.id}`;
    await record("S", key, ctx.attempt);
    await record("E", key, ctx.attempt);
    return ctx.scheduledAt;
  },
);
