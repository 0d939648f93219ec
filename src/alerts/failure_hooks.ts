/**
 * Failure callbacks and alerts. After a failed attempt is recorded (the worker's `failed`
 * event), this calls the function's `onFailure`, then the engine's; when the job went to the
 * dead-letter queue, the function's `onDead`, then the engine's, then queues the webhook event.
 * Each gets the job as stored (read once, with its history) and the attempt's error.
 *
 * Everything runs in the background: a worker never waits for it. A callback that throws or
 * rejects is logged and counted, never crashes the node. At most `MAX_PENDING_FAILURES` failures
 * are handled at once; more are dropped, logged and counted (callbacks that hang hold a place).
 *
 * @module
 */
import type { JobEvents } from "../job/events.ts";
import type { JobInfo } from "../job/job_info.ts";
import type { Logger } from "../job/logger.ts";
import type { FailureHook } from "../registry/failure_options.ts";
import type { JobDefinition } from "../registry/definition.ts";
import type { WebhookSender } from "./webhook.ts";
import type { AlertEventType } from "./webhook_options.ts";

/** Failures handled at once, at most. */
export const MAX_PENDING_FAILURES = 1_000;

/** Engine-wide failure callbacks (options of `createEngine`). */
export interface FailureHooks {
  /** Called after every failed attempt of any function, after the function's own. */
  onFailure?: FailureHook;
  /** Called for every dead-lettered job, after the function's own. */
  onDead?: FailureHook;
}

/** What the dispatcher did so far. */
export interface FailureHookStats {
  /** Failures being handled now. */
  pending: number;
  /** Callbacks that threw or rejected. */
  callbackErrors: number;
  /** Failures not handled: too many were pending. */
  dropped: number;
}

/** What the dispatcher needs from the engine. */
export interface FailureHookDeps {
  /** Reads a job (decoded). */
  getJob(id: string): Promise<JobInfo | null>;
  /** The definition of a function, if registered here. */
  definition(name: string): JobDefinition | undefined;
  /** Engine-wide callbacks. */
  hooks: FailureHooks;
  /** The alerting webhook, if any. */
  webhook: WebhookSender | null;
  /** Where to log. */
  logger: Logger;
}

type Labeled = [label: string, hook: FailureHook];

/** Runs failure callbacks and alerts; see the module doc. */
export class FailureDispatcher {
  #deps: FailureHookDeps;
  #stats: FailureHookStats = { pending: 0, callbackErrors: 0, dropped: 0 };
  #idle: (() => void)[] = [];

  /** Dispatches with `deps`. */
  constructor(deps: FailureHookDeps) {
    this.#deps = deps;
  }

  /** What the dispatcher did so far. */
  get stats(): FailureHookStats {
    return { ...this.#stats };
  }

  /** Handles one `failed` event in the background; returns at once, never throws. */
  failed(event: JobEvents["failed"]): void {
    if (event.state === "cancelled") return; // cancellation is not a failure
    const dead = event.state === "dead";
    const fn = this.#deps.definition(event.name);
    const { hooks, webhook } = this.#deps;
    const calls: Labeled[] = [];
    const add = (label: string, hook: FailureHook | undefined): void => {
      if (hook) calls.push([label, hook]);
    };
    add(`onFailure of ${JSON.stringify(event.name)}`, fn?.onFailure);
    add("the engine's onFailure", hooks.onFailure);
    if (dead) {
      add(`onDead of ${JSON.stringify(event.name)}`, fn?.onDead);
      add("the engine's onDead", hooks.onDead);
    }
    const alert: AlertEventType = dead ? "job.dead" : "job.failed";
    const alerting = webhook?.wants(alert) ?? false;
    if (calls.length === 0 && !alerting) return;
    if (this.#stats.pending >= MAX_PENDING_FAILURES) {
      this.#stats.dropped++;
      this.#deps.logger.warn("failure callbacks skipped: too many pending", { job: event.id });
      return;
    }
    this.#stats.pending++;
    void this.#run(event, calls, alerting ? alert : null).finally(() => {
      if (--this.#stats.pending === 0) { for (const resolve of this.#idle.splice(0)) resolve(); }
    });
  }

  /** Resolves when no failure is being handled. */
  idle(): Promise<void> {
    if (this.#stats.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #run(
    event: JobEvents["failed"],
    calls: Labeled[],
    alert: AlertEventType | null,
  ): Promise<void> {
    const { logger } = this.#deps;
    const fields = { job: event.id, fn: event.name };
    let job: JobInfo | null;
    try {
      job = await this.#deps.getJob(event.id);
    } catch (error) {
      logger.error("failure callbacks skipped: reading the job failed", {
        ...fields,
        error: String(error),
      });
      return;
    }
    if (!job) {
      logger.warn("failure callbacks skipped: the job is gone (retention)", fields);
      return;
    }
    for (const [label, hook] of calls) {
      try {
        await hook(job, event.error);
      } catch (error) {
        this.#stats.callbackErrors++;
        logger.error(`${label} threw`, { ...fields, error: String(error) });
      }
    }
    if (alert) this.#deps.webhook!.send(alert, job);
  }
}
