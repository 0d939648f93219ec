/**
 * The chaos suite's job functions (queue `chaos`): `chaos-work` sleeps and records its runs in
 * the sink; `chaos-poison` takes its isolate down every time (`Deno.exit`, an endless loop, an
 * uncaught error); `chaos-doomed` is built to fail.
 *
 * @module
 */
import { z } from "zod";
import { define } from "../../../mod.ts";
import { record } from "../sink.ts";

/** Sleeps `ms` (honouring its signal) between a start and an end line in the sink. */
export const ChaosWork = define(
  {
    name: "chaos-work",
    payload: z.object({ ms: z.number() }),
    queue: "chaos",
    retry: { attempts: 25, backoff: { type: "fixed", delay: 50 } },
  },
  async ({ ms }, ctx) => {
    await record("S", ctx.id, ctx.attempt);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      ctx.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(ctx.signal.reason);
      }, { once: true });
    });
    await record("E", ctx.id, ctx.attempt);
    return 1;
  },
);

/** Fails every time: it must end dead after its attempts, and only it. */
export const ChaosDoomed = define(
  {
    name: "chaos-doomed",
    payload: z.object({}),
    queue: "chaos",
    retry: { attempts: 2, backoff: { type: "fixed", delay: 10 } },
  },
  async (_payload, ctx) => {
    await record("S", ctx.id, ctx.attempt);
    throw new Error("built to fail");
  },
);

/** Takes its isolate down every time, the way `mode` says. */
export const ChaosPoison = define(
  {
    name: "chaos-poison",
    payload: z.object({ mode: z.enum(["exit", "loop", "uncaught"]) }),
    queue: "chaos",
    timeout: 1_000,
    retry: { attempts: 3, backoff: { type: "fixed", delay: 10 } },
  },
  async ({ mode }, ctx) => {
    await record("S", ctx.id, ctx.attempt);
    if (mode === "exit") Deno.exit(3);
    if (mode === "uncaught") {
      setTimeout(() => {
        throw new Error("poison: uncaught");
      }, 0);
      return await new Promise<never>(() => {});
    }
    for (;;) {
      // spins until the isolate is terminated
    }
  },
);
