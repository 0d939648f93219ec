/**
 * The bench's no-op job as a function file, so that isolates can load it (`engine.work({
 * isolates: true })` with `functions` pointing at this folder). Inline runs use the same
 * definition.
 *
 * @module
 */
import { z } from "zod";
import { define } from "../../mod.ts";
import { HANDLER_RESULT } from "../_payloads.ts";

/** Validates the bench payload and returns a small constant result. */
export const Noop = define(
  {
    name: "bench-noop",
    payload: z.object({ n: z.number().int(), user: z.string(), action: z.string() }),
  },
  () => HANDLER_RESULT,
);
