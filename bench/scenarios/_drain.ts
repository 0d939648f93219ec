/**
 * Sluice's draining trial, shared by the process, process-isolates, backlog and memory-store
 * scenarios: `jobs` jobs pre-filled in bulk (untimed, `fillInflight` calls at once), then the
 * timed part starts `engine.work({ concurrency })` (with `isolates: true` running the no-op
 * function file in Deno isolates) and waits for `sample` completions (default: all).
 *
 * @module
 */
import type { SluiceEnv, Trial } from "../_scenario.ts";
import { FUNCTIONS_DIR, SluiceBench } from "../_sluice.ts";
import { benchPayload } from "../_payloads.ts";
import { Noop } from "../functions/noop.ts";

/** Parameters of a draining trial. */
export type DrainParams = {
  /** Jobs pre-filled. */
  jobs: number;
  /** Completions timed (at most `jobs`; default all). */
  sample?: number;
  /** Worker concurrency. */
  concurrency: number;
  /** Jobs per bulk call of the fill. */
  chunk: number;
  /** Bulk calls in flight during the fill. */
  fillInflight: number;
  /** Run the handler in isolates. */
  isolates: boolean;
  /** Record the event stream and metrics (the stores' default; false: `events: 0, metrics: false`). */
  observe?: boolean;
};

/** Prepares Sluice's draining trial. */
export async function prepareDrain(p: DrainParams, env: SluiceEnv, what: string): Promise<Trial> {
  const observe = p.observe ?? true;
  const s = await SluiceBench.open(env, p.isolates ? FUNCTIONS_DIR : [Noop], observe);
  await s.fill(p.jobs, p.chunk, (i) => ({ job: Noop, payload: benchPayload(i) }), p.fillInflight);
  const sample = p.sample ?? p.jobs;
  const { countdown, off } = s.completions(sample, what);
  let worker: ReturnType<typeof s.engine.work> | null = null;
  return {
    run: async () => {
      worker = s.engine.work({ concurrency: p.concurrency, isolates: p.isolates });
      await countdown.done;
      return { jobs: sample };
    },
    dispose: async () => {
      countdown.fail(new Error("disposed"));
      await worker?.stop({ drainMs: 0 });
      off();
      await s.close();
    },
  };
}
