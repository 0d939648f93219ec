/**
 * What the isolate pool keeps about each isolate and each attempt, how an isolate is started (a
 * Deno `Worker` on `isolate_main.ts`, or on the bundle that holds it: see `isolate_entry.ts`, told
 * to load the function modules), and the outcomes an
 * attempt takes when its isolate reports a failure or goes away.
 *
 * @module
 */
import type { EncodingDefaults } from "../codec/payload_encoder.ts";
import type { JobErrorInfo } from "../job/job.ts";
import {
  errorInfo,
  type FromIsolate,
  type IsolateJob,
  ownedBuffer,
  type ToIsolate,
} from "./_isolate_protocol.ts";
import { planIsolatePermissions } from "./_isolate_permissions.ts";
import { isolateEntry, isolateName } from "./isolate_entry.ts";
import { IsolateCrashedError, TimeoutError } from "./isolate_errors.ts";
import type { IsolateOutcome, IsolateRunJob } from "./isolate_pool_options.ts";
import { attemptFacts } from "./job_context.ts";

/** A timer handle. */
export type Timer = ReturnType<typeof setTimeout>;

/** One isolate of the pool. */
export interface Isolate {
  /** Its slot in the pool (a replacement takes the same). */
  readonly index: number;
  /** The Deno `Worker` it runs in. */
  readonly worker: Worker;
  /** Loading the modules, running jobs, or terminated. */
  state: "starting" | "ready" | "dead";
  /** The attempts running in it. */
  readonly attempts: Set<Attempt>;
  /** Timed-out attempts still running here: while any, it takes no new work. */
  suspect: number;
  /** Settles when the modules loaded (with the function names) or the isolate died. */
  loaded: PromiseWithResolvers<string[]>;
}

/** One attempt handed to the pool, queued or running. */
export interface Attempt {
  /** The pool's number for this attempt. */
  readonly run: number;
  /** The job's fields the isolate needs. */
  readonly job: IsolateJob;
  /** The payload, until it is transferred to the isolate. */
  buffer: ArrayBuffer | null;
  /** Its timeout, if any. */
  readonly timeoutMs: number | undefined;
  /** Settles the attempt's outcome. */
  readonly resolve: (outcome: IsolateOutcome) => void;
  /** The isolate running it (null while queued). */
  isolate: Isolate | null;
  /** Its outcome was given. */
  settled: boolean;
  /** The timeout, then the grace timer. */
  timer: Timer | undefined;
  /** It ran past its timeout. */
  timedOut: boolean;
  /** The pool is closing: whatever becomes of it is `interrupted`. */
  shutdown: boolean;
}

/** A new, queued attempt of `job` numbered `run`; the payload bytes are copied. */
export function newAttempt(
  run: number,
  job: IsolateRunJob,
  timeoutMs: number | undefined,
  resolve: (outcome: IsolateOutcome) => void,
): Attempt {
  return {
    run,
    job: attemptFacts(job, job.scheduledAt, job.prerequisites),
    buffer: ownedBuffer(job.payload),
    timeoutMs,
    resolve,
    isolate: null,
    settled: false,
    timer: undefined,
    timedOut: false,
    shutdown: false,
  };
}

/** How the pool hears of a spawned isolate and talks to it. */
export interface IsolateWiring {
  /** A message arrived from the isolate. */
  message(isolate: Isolate, message: FromIsolate): void;
  /** The isolate must be terminated (its error, or a message that could not be read). */
  kill(isolate: Isolate, reason: string): void;
}

/** What an isolate loads and with what rights. */
export interface IsolateSetup {
  /** Absolute URLs of the function modules. */
  modules: string[];
  /** Encoding defaults for results. */
  encoding: EncodingDefaults;
  /** Permissions of the isolates (undefined: the node's). */
  permissions: Deno.PermissionOptions | undefined;
}

/**
 * Starts isolate `index`: its `Worker` and its listeners. Returns it with the `init` message to
 * post to it (the modules to load, the grants to revoke once loaded).
 */
export function spawnIsolate(
  index: number,
  setup: IsolateSetup,
  wiring: IsolateWiring,
): { isolate: Isolate; init: ToIsolate } {
  const name = isolateName(index);
  const plan = planIsolatePermissions(name, setup.modules, setup.permissions);
  const worker = new Worker(isolateEntry(), plan.workerOptions);
  const isolate: Isolate = {
    index,
    worker,
    state: "starting",
    attempts: new Set(),
    suspect: 0,
    loaded: Promise.withResolvers<string[]>(),
  };
  worker.addEventListener("message", (event: MessageEvent<FromIsolate>) => {
    wiring.message(isolate, event.data);
  });
  worker.addEventListener("error", (event: ErrorEvent) => {
    event.preventDefault(); // an isolate's uncaught error must not take the node down
    wiring.kill(isolate, `uncaught error: ${event.message}`);
  });
  worker.addEventListener("messageerror", () => {
    wiring.kill(isolate, "a message from the isolate could not be read");
  });
  const { modules, encoding } = setup;
  return { isolate, init: { type: "init", modules, encoding, revoke: plan.revoke } };
}

/** A job message of an isolate: what became of an attempt. */
export type AttemptReport = Extract<
  FromIsolate,
  { type: "completed" | "failed" | "handed-back" | "too-new" }
>;

/** The outcome an isolate reported for `attempt`. */
export function reportedOutcome(attempt: Attempt, report: AttemptReport): IsolateOutcome {
  switch (report.type) {
    case "completed":
      return {
        kind: "completed",
        result: report.result === null ? null : new Uint8Array(report.result),
      };
    case "failed":
      return failureOutcome(attempt, report.error, report.retryable);
    case "handed-back":
      return { kind: "handed-back", delayMs: report.delayMs, throttle: report.throttle };
    case "too-new":
      return { kind: "too-new", version: report.version, known: report.known };
  }
}

/** The outcome of a failure report, seen through what the pool did to the attempt. */
function failureOutcome(
  attempt: Attempt,
  error: JobErrorInfo,
  retryable: boolean,
): IsolateOutcome {
  if (attempt.shutdown) return { kind: "interrupted" };
  if (attempt.timedOut) {
    const { id, name } = attempt.job;
    return failed(new TimeoutError(id, name, attempt.timeoutMs!, false));
  }
  return { kind: "failed", error, retryable };
}

/** The outcome of an attempt whose isolate was terminated for `reason`. */
export function lostOutcome(attempt: Attempt, reason: string): IsolateOutcome {
  const { id, name } = attempt.job;
  return attempt.shutdown
    ? { kind: "interrupted" }
    : attempt.timedOut
    ? failed(new TimeoutError(id, name, attempt.timeoutMs!, true))
    : failed(new IsolateCrashedError(id, reason));
}

function failed(error: Error): IsolateOutcome {
  return { kind: "failed", error: errorInfo(error), retryable: true };
}
