/**
 * The isolate pool: a node runs job functions in `size` Deno `Worker`s, each loading the same
 * function modules and running up to `slotsPerIsolate` attempts at once. The main thread keeps
 * the control plane (fetching, heartbeats, leases), so a CPU-bound job cannot stall it.
 *
 * Pull model: the node asks `freeSlots()`, reserves that many jobs, and passes each to `run()`;
 * `onSlotFree` tells it when to fetch again. Payload bytes are copied once into a buffer that is
 * transferred to the isolate; decoding, validation, the handler and result encoding run there.
 *
 * Failure handling: at a job's timeout its `ctx.signal` aborts; a handler still running
 * `abortGraceMs` later gets its isolate terminated: that job fails with `TimeoutError`, the other
 * jobs of the isolate with `IsolateCrashedError`, and a replacement starts. An isolate that
 * crashes (uncaught error, `self.close()`, `Deno.exit()`) fails its jobs with
 * `IsolateCrashedError` and is replaced. `close()` interrupts what runs: those outcomes are
 * `interrupted`, so the node can release the jobs without spending an attempt.
 *
 * Parts: options and outcomes in `isolate_pool_options.ts`, isolates and attempts in
 * `isolate_handle.ts`, `ctx.enqueue` served in `isolate_enqueue.ts`.
 *
 * @module
 */
import { resolveEncodingDefaults } from "../codec/payload_encoder.ts";
import { consoleLogger, type Logger } from "../job/logger.ts";
import { errorInfo, type FromIsolate, type ToIsolate } from "./_isolate_protocol.ts";
import { serveEnqueue } from "./isolate_enqueue.ts";
import {
  type Attempt,
  type Isolate,
  type IsolateSetup,
  lostOutcome,
  newAttempt,
  reportedOutcome,
  spawnIsolate,
  type Timer,
} from "./isolate_handle.ts";
import {
  type IsolateOutcome,
  type IsolatePoolOptions,
  type IsolateRun,
  type IsolateRunJob,
  type IsolateRunOptions,
  nonNegative,
  positiveInt,
} from "./isolate_pool_options.ts";

export type { IsolateJob } from "./_isolate_protocol.ts";
export type {
  IsolateOutcome,
  IsolatePoolOptions,
  IsolateRun,
  IsolateRunJob,
  IsolateRunOptions,
} from "./isolate_pool_options.ts";

const MAX_RESPAWN_DELAY_MS = 30_000;

/** A pool of isolates running job functions off the main thread. */
export class IsolatePool {
  #setup: IsolateSetup;
  #size: number;
  #slots: number;
  #logger: Logger;
  #graceMs: number;
  #onProgress: IsolatePoolOptions["onProgress"];
  #onJobLog: IsolatePoolOptions["onJobLog"];
  #enqueue: IsolatePoolOptions["enqueue"];
  #respawnDelayMs: number;
  #isolates: (Isolate | null)[] = [];
  #pending: Attempt[] = [];
  #attempts = new Map<number, Attempt>();
  #listeners = new Set<() => void>();
  #timers = new Set<Timer>();
  #functions: readonly string[] = [];
  #nextRun = 1;
  #started = false;
  #closed = false;
  #closing: Promise<void> | null = null;
  #onIdle: (() => void) | null = null;

  /** Checks `options`; nothing starts until `start()`. */
  constructor(options: IsolatePoolOptions) {
    this.#setup = {
      modules: options.modules.map((m) => new URL(m).href),
      encoding: options.encoding ?? resolveEncodingDefaults(),
      permissions: options.permissions,
    };
    this.#size = positiveInt(options.size ?? navigator.hardwareConcurrency ?? 1, "size");
    this.#slots = positiveInt(options.slotsPerIsolate ?? 4, "slotsPerIsolate");
    this.#logger = options.logger ?? consoleLogger;
    this.#graceMs = nonNegative(options.abortGraceMs ?? 1_000, "abortGraceMs");
    this.#onProgress = options.onProgress;
    this.#onJobLog = options.onJobLog;
    this.#enqueue = options.enqueue;
    this.#respawnDelayMs = positiveInt(options.respawnDelayMs ?? 1_000, "respawnDelayMs");
  }

  /** Names of the functions the isolates loaded (empty before `start()`). */
  get functions(): readonly string[] {
    return this.#functions;
  }

  /** Starts every isolate; resolves when all loaded the modules, rejects if one could not. */
  async start(): Promise<void> {
    if (this.#started) throw new TypeError("IsolatePool.start: called twice");
    this.#started = true;
    const loads = await Promise.allSettled(
      Array.from({ length: this.#size }, (_, i) => this.#spawn(i)),
    );
    const failed = loads.find((l) => l.status === "rejected");
    if (failed) {
      await this.close({ graceMs: 0 });
      throw failed.reason;
    }
  }

  /** Isolates up or starting, attempts running in them, and attempts waiting for a slot. */
  stats(): { isolates: number; running: number; queued: number } {
    const isolates = this.#isolates.filter((i) => i !== null && i.state !== "dead").length;
    const queued = this.#pending.length;
    return { isolates, running: this.#attempts.size - queued, queued };
  }

  /** Slots free for new attempts: the number of jobs to fetch now. */
  freeSlots(): number {
    let free = 0;
    for (const isolate of this.#isolates) {
      if (isolate?.state === "ready" && isolate.suspect === 0) {
        free += this.#slots - isolate.attempts.size;
      }
    }
    return Math.max(free - this.#pending.length, 0);
  }

  /** Calls `listener` whenever slots become free (an attempt ended, an isolate came up). */
  onSlotFree(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Runs one attempt of `job`. It starts at once when a slot is free, or when one frees up (an
   * isolate may die between `freeSlots()` and `run()`). The payload bytes are copied.
   */
  run(job: IsolateRunJob, options: IsolateRunOptions = {}): IsolateRun {
    const { promise, resolve } = Promise.withResolvers<IsolateOutcome>();
    if (options.timeoutMs !== undefined) positiveInt(options.timeoutMs, "timeoutMs");
    const attempt = newAttempt(this.#nextRun++, job, options.timeoutMs, resolve);
    const handle: IsolateRun = {
      outcome: promise,
      abort: (reason) => this.#abort(attempt, reason),
    };
    if (this.#closed) {
      attempt.settled = true;
      resolve({ kind: "interrupted" });
      return handle;
    }
    this.#attempts.set(attempt.run, attempt);
    this.#pending.push(attempt);
    this.#dispatch();
    return handle;
  }

  /**
   * Stops the pool: queued attempts are interrupted at once, running ones get their signal
   * aborted and `graceMs` (default: `abortGraceMs`) to finish; then every isolate is terminated
   * and what still ran is `interrupted`. An attempt that completes meanwhile stays completed.
   */
  close(options: { graceMs?: number } = {}): Promise<void> {
    const graceMs = nonNegative(options.graceMs ?? this.#graceMs, "graceMs");
    this.#closed = true;
    return this.#closing ??= this.#close(graceMs);
  }

  async #close(graceMs: number): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const attempt of this.#pending.splice(0)) this.#settle(attempt, { kind: "interrupted" });
    for (const attempt of this.#attempts.values()) {
      attempt.shutdown = true;
      this.#post(attempt.isolate!, {
        type: "abort",
        run: attempt.run,
        reason: { name: "AbortError", message: "the worker node is shutting down" },
      });
    }
    if (this.#attempts.size > 0 && graceMs > 0) {
      const idle = new Promise<void>((resolve) => (this.#onIdle = resolve));
      let timer: Timer | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([idle, grace]);
      clearTimeout(timer);
      this.#onIdle = null;
    }
    for (const isolate of this.#isolates) {
      if (isolate) this.#kill(isolate, "the pool closed", null);
    }
    this.#listeners.clear();
  }

  #spawn(index: number): Promise<string[]> {
    const { isolate, init } = spawnIsolate(index, this.#setup, {
      message: (isolate, message) => this.#onMessage(isolate, message),
      kill: (isolate, reason) => this.#kill(isolate, reason, "error"),
    });
    this.#isolates[index] = isolate;
    this.#post(isolate, init);
    return isolate.loaded.promise;
  }

  #respawn(index: number, delayMs: number): void {
    if (this.#closed) return;
    this.#spawn(index).then(
      () => {
        this.#dispatch();
        this.#notify();
      },
      (error) => {
        if (this.#closed) return;
        this.#logger.error("a replacement isolate could not start; retrying", {
          isolate: index,
          retryInMs: delayMs,
          error: String(error),
        });
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          this.#respawn(index, Math.min(delayMs * 2, MAX_RESPAWN_DELAY_MS));
        }, delayMs);
        this.#timers.add(timer);
      },
    );
  }

  #onMessage(isolate: Isolate, message: FromIsolate): void {
    if (isolate.state === "dead") return;
    const attempt = "run" in message && message.run !== undefined
      ? this.#attempts.get(message.run)
      : undefined;
    const mine = attempt?.isolate === isolate ? attempt : undefined;
    switch (message.type) {
      case "ready":
        isolate.state = "ready";
        this.#functions = Object.freeze(message.functions);
        isolate.loaded.resolve(message.functions);
        return;
      case "init-failed":
        this.#kill(isolate, `could not load the function modules: ${message.error.message}`, null);
        return;
      case "completed":
      case "failed":
      case "handed-back":
      case "too-new":
        if (mine) this.#settle(mine, reportedOutcome(mine, message));
        return;
      case "log": {
        const tags = attempt
          ? { job: attempt.job.id, fn: attempt.job.name }
          : { isolate: isolate.index };
        this.#logger[message.level](message.message, { ...tags, ...message.fields });
        if (mine) {
          const { level, message: text, fields } = message;
          this.#report(() => this.#onJobLog?.(mine.job, level, text, fields));
        }
        return;
      }
      case "progress":
        if (mine) {
          this.#report(() => this.#onProgress?.(mine.job, message.percent, message.message));
        }
        return;
      case "enqueue":
        serveEnqueue(this.#enqueue, message, (answer) => {
          if (isolate.state !== "dead") this.#post(isolate, answer);
        });
        return;
      case "crashed":
        this.#kill(isolate, message.reason, "error", message.error?.stack);
        return;
    }
  }

  #dispatch(): void {
    while (this.#pending.length > 0 && !this.#closed) {
      let best: Isolate | null = null;
      for (const isolate of this.#isolates) {
        if (isolate?.state !== "ready" || isolate.suspect > 0) continue;
        if (isolate.attempts.size >= this.#slots) continue;
        if (!best || isolate.attempts.size < best.attempts.size) best = isolate;
      }
      if (!best) return;
      this.#begin(best, this.#pending.shift()!);
    }
  }

  #begin(isolate: Isolate, attempt: Attempt): void {
    attempt.isolate = isolate;
    isolate.attempts.add(attempt);
    const payload = attempt.buffer!;
    attempt.buffer = null;
    this.#post(isolate, { type: "run", run: attempt.run, job: attempt.job, payload }, [payload]);
    if (attempt.timeoutMs !== undefined) {
      attempt.timer = setTimeout(() => this.#timeout(attempt), attempt.timeoutMs);
    }
  }

  #timeout(attempt: Attempt): void {
    const isolate = attempt.isolate!;
    attempt.timedOut = true;
    isolate.suspect++;
    const { id, name } = attempt.job;
    this.#post(isolate, {
      type: "abort",
      run: attempt.run,
      reason: errorInfo(new DOMException(`job ran past its timeout`, "TimeoutError")),
    });
    attempt.timer = setTimeout(() => {
      attempt.timer = undefined;
      this.#kill(isolate, `job ${JSON.stringify(id)} (${name}) ran past its timeout`, "warn");
    }, this.#graceMs);
  }

  #abort(attempt: Attempt, reason: unknown): void {
    if (attempt.settled) return;
    const info = reason === undefined
      ? { name: "AbortError", message: "the job was aborted" }
      : errorInfo(reason, "AbortError");
    if (attempt.isolate) {
      this.#post(attempt.isolate, { type: "abort", run: attempt.run, reason: info });
      return;
    }
    const queued = this.#pending.indexOf(attempt);
    if (queued >= 0) this.#pending.splice(queued, 1);
    this.#settle(attempt, { kind: "failed", error: info, retryable: true });
  }

  /** Terminates `isolate`, fails what ran on it, and replaces it (unless the pool is closing). */
  #kill(
    isolate: Isolate,
    reason: string,
    level: "warn" | "error" | null,
    stack?: string,
  ): void {
    if (isolate.state === "dead") return;
    const wasStarting = isolate.state === "starting";
    isolate.state = "dead";
    isolate.worker.terminate();
    if (level) {
      this.#logger[level]("isolate terminated; replacing it", {
        isolate: isolate.index,
        reason,
        jobs: isolate.attempts.size,
        ...(stack ? { stack } : {}),
      });
    }
    for (const attempt of [...isolate.attempts]) {
      this.#settle(attempt, lostOutcome(attempt, reason));
    }
    if (this.#isolates[isolate.index] === isolate) this.#isolates[isolate.index] = null;
    isolate.loaded.reject(new Error(`isolate ${isolate.index}: ${reason}`));
    if (!wasStarting) this.#respawn(isolate.index, this.#respawnDelayMs);
  }

  #settle(attempt: Attempt, outcome: IsolateOutcome): void {
    if (attempt.settled) return;
    attempt.settled = true;
    clearTimeout(attempt.timer);
    this.#attempts.delete(attempt.run);
    const isolate = attempt.isolate;
    if (isolate) {
      isolate.attempts.delete(attempt);
      if (attempt.timedOut) isolate.suspect--;
    }
    attempt.resolve(outcome);
    if (this.#attempts.size === 0) this.#onIdle?.();
    this.#dispatch();
    this.#notify();
  }

  #notify(): void {
    if (this.#closed || this.freeSlots() === 0) return;
    for (const listener of this.#listeners) this.#report(listener);
  }

  #report(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#logger.error("an isolate pool listener threw", { error: String(error) });
    }
  }

  #post(isolate: Isolate, message: ToIsolate, transfer: Transferable[] = []): void {
    try {
      isolate.worker.postMessage(message, transfer);
    } catch (error) {
      this.#kill(isolate, `could not post to the isolate: ${String(error)}`, "error");
    }
  }
}
