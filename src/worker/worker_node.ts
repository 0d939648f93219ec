/**
 * A worker node: registers itself and heartbeats, fetches jobs in batches sized to its free
 * slots (keeping some for the upper lanes), prefetches a few that idle nodes may steal, steals
 * when idle, renews all its leases in one call, writes outcomes in batches, takes part in leader
 * election, and on stop hands unstarted and unfinished jobs back without spending their attempt.
 * Handlers run in its executor: inline, or in a pool of isolates.
 *
 * @module
 */
import { hostname } from "node:os";
import { LeaderDuties } from "../cluster/leader_duties.ts";
import { LeaderElector } from "../cluster/leader_elector.ts";
import { sleep } from "../job/clock.ts";
import { newJobId, newLeaseToken } from "../job/ids.ts";
import type { Reservation } from "../job/job.ts";
import type { Lane } from "../job/lanes.ts";
import type { JobState } from "../job/states.ts";
import { Status, type StatusCode } from "../job/status.ts";
import type { Release } from "../store/store.ts";
import { Coalescer } from "./coalescer.ts";
import { Wakeup } from "./wakeup.ts";
import type { JobExecutor } from "./executor.ts";
import { NodePresence, type NodeStatus } from "./node_presence.ts";
import type { ResolvedNodeOptions } from "./node_options.ts";
import { OutcomeBatcher, type PendingOutcome } from "./outcome_batcher.ts";
import type { WorkerRuntime } from "./runtime.ts";
import type { StoreJobReports } from "./job_reports.ts";
import { announceOutcome, announceStarted, eventBase, runAttempt } from "./attempt.ts";

/** The version recorded with node records. */
export const SLUICE_VERSION = "0.1.0";

/** A running worker node. */
export interface WorkerHandle {
  /** The node id (unique per process start), recorded on the jobs it leases. */
  readonly id: string;
  /** True while this node holds the leader lease. */
  readonly isLeader: boolean;
  /** Resolves once the node is registered and its executor runs (isolates loaded); rejects if not. */
  readonly ready: Promise<void>;
  /** How the node is doing now: slots, busy, jobs done, its latest heartbeat. */
  status(): NodeStatus;
  /**
   * Stops: no more fetching, prefetched jobs handed back at once, running jobs may finish until
   * the drain deadline (`drainMs`, or `options.drainMs`), then are aborted and handed back. A
   * second call with `{ drainMs: 0 }` cuts a drain in progress short.
   */
  stop(options?: { drainMs?: number }): Promise<void>;
}

const isUpper = (lane: Lane): boolean => lane === "critical" || lane === "high";
/** Abort reason of a job handed back by a stopping node. */
export const HANDED_BACK = Symbol("sluice: handed back on shutdown");
const DONE_WAITING = Symbol("done waiting");

interface Running {
  job: Reservation;
  controller: AbortController;
  /** The lease is gone (reclaimed or stolen) or the job was handed back: drop its outcome. */
  detached: boolean;
  outcome: Promise<void>;
}

/** Starts a node; see the module doc. */
export function startWorkerNode(
  runtime: WorkerRuntime,
  executor: JobExecutor,
  options: ResolvedNodeOptions,
  reports: StoreJobReports,
): WorkerHandle {
  return new WorkerNode(runtime, executor, options, reports).start();
}

class WorkerNode {
  readonly id = `${hostname()}-${Deno.pid}-${newJobId()}`;
  #rt: WorkerRuntime;
  #exec: JobExecutor;
  #o: ResolvedNodeOptions;
  #running = new Map<string, Running>();
  #prefetched: Reservation[] = [];
  #stopping = new AbortController();
  /** Aborted by a second `stop({ drainMs: 0 })`: stop waiting for running jobs. */
  #drainCut = new AbortController();
  /** Notified whenever a slot frees up (a job ended) or the node stops. */
  #slotFreed = new Wakeup();
  #outcomes: OutcomeBatcher;
  #starts: Coalescer<Reservation, StatusCode>;
  #releases: Coalescer<Release, StatusCode>;
  #presence: NodePresence;
  #reports: StoreJobReports;
  /** Attempts this node completed and failed since it started (reported with heartbeats). */
  #tally = { completed: 0, failed: 0 };
  /** Stops hearing of cancellations (set while the node runs). */
  #stopCancels: () => void = () => {};
  #elector: LeaderElector | null = null;
  #duties: LeaderDuties;
  #timers: ReturnType<typeof setInterval>[] = [];
  #rotation = 0;
  /**
   * When the earliest delayed job is due, as last read, on this process's monotonic clock
   * (`performance.now`; undefined: never read, null: none).
   */
  #nextDue: number | null | undefined = undefined;
  /** When this node last tried to steal (performance.now). */
  #lastSteal = -Infinity;
  /**
   * The call id of a reserve or steal that failed (it may have run with its reply lost): the
   * next one retries it, so the store hands back those leases instead of leasing more.
   */
  #retryCall: string | null = null;

  constructor(
    runtime: WorkerRuntime,
    executor: JobExecutor,
    options: ResolvedNodeOptions,
    reports: StoreJobReports,
  ) {
    this.#rt = runtime;
    this.#exec = executor;
    this.#o = options;
    this.#reports = reports;
    reports.tokenOf = (id) => {
      const running = this.#running.get(id);
      return running && !running.detached ? running.job.token : undefined;
    };
    const { store, logger } = runtime;
    this.#outcomes = new OutcomeBatcher(
      store,
      (pending, result) => this.#written(pending, result.status, result.state as JobState),
      (error, count) =>
        logger.error("could not record job outcomes; their leases will expire", {
          count,
          error: String(error),
        }),
      options.leaseMs,
    );
    this.#starts = new Coalescer((jobs) =>
      store.start(jobs.map(({ id, token }) => ({ id, token })))
    );
    this.#releases = new Coalescer((items) => store.release(items));
    this.#presence = new NodePresence(
      store,
      {
        id: this.id,
        host: hostname(),
        pid: Deno.pid,
        queues: options.queues,
        concurrency: options.concurrency,
        version: SLUICE_VERSION,
        startedAt: Date.now(),
      },
      { everyMs: options.heartbeatMs, ttlMs: options.nodeTtlMs },
      () => ({ busy: this.#running.size, ...this.#tally }),
      logger,
    );
    this.#duties = new LeaderDuties(
      store,
      () => this.#elector,
      options.heartbeatMs,
      logger,
      (ids) => void this.#announceEnded(ids),
    );
  }

  start(): WorkerHandle {
    const ready = Promise.all([this.#presence.start(), this.#exec.start?.()]).then(() => {});
    const loop = ready.then(() => this.#fetchLoop(), (error) => {
      this.#rt.logger.error("the node could not start", { error: String(error) });
    });
    if (this.#o.leader) {
      this.#elector = new LeaderElector(
        this.#rt.store,
        this.id,
        {
          elected: () => this.#duties.start(),
          deposed: () => void this.#duties.stop(),
        },
        this.#rt.logger,
        this.#o.leader,
      );
      this.#elector.start();
    }
    this.#timers.push(
      setInterval(() => this.#renewLeases(), Math.max(Math.floor(this.#o.leaseMs / 3), 1)),
    );
    // a cancellation reaches the node at once; the lease renewal tells it too, later
    this.#stopCancels = this.#rt.store.onCancelRequested(this.id, (id) => {
      this.#running.get(id)?.controller.abort(new DOMException("job cancelled", "AbortError"));
    });
    let stopped: Promise<void> | null = null;
    const leads = (): boolean => this.#elector?.lease != null;
    return {
      id: this.id,
      get isLeader(): boolean {
        return leads();
      },
      ready,
      status: () => ({
        ...this.#presence.status(),
        running: !this.#stopping.signal.aborted,
        prefetched: this.#prefetched.length,
        leader: leads(),
      }),
      stop: (opts) => {
        if (stopped && opts?.drainMs === 0) this.#drainCut.abort(); // a second signal: hurry
        return stopped ??= this.#stop(loop, opts?.drainMs ?? this.#o.drainMs);
      },
    };
  }

  // --- fetching -------------------------------------------------------------------------------

  async #fetchLoop(): Promise<void> {
    const stop = this.#stopping.signal;
    let errorDelay = 100;
    while (!stop.aborted) {
      this.#slotFreed.clear(); // from here on, a job ending wakes the next wait
      try {
        if (await this.#startPrefetched()) continue;
      } catch (error) {
        // the prefetched jobs are kept (their leases are ours): starting them is retried
        this.#rt.logger.error("starting prefetched jobs failed; retrying", {
          error: String(error),
        });
        await sleep(errorDelay, stop);
        errorDelay = Math.min(errorDelay * 2, 5_000);
        continue;
      }
      const free = this.#o.concurrency - this.#running.size;
      if (free <= 0) {
        await this.#slotFreed.wait();
        continue;
      }
      const wakeup = new AbortController();
      const onStop = () => wakeup.abort(DONE_WAITING);
      stop.addEventListener("abort", onStop, { once: true });
      // listen before looking, so work that arrives in between is not missed
      const woken = this.#rt.store.waitForWork(this.#o.queues, this.#o.idlePollMs, wakeup.signal);
      try {
        const started = await this.#reserve(free);
        errorDelay = 100;
        if (started >= free) continue; // there may be more: look again once slots free up
        // While jobs run, the due time last read is good enough: the next reserve, when a slot
        // frees, promotes what fell due meanwhile; so the store is asked only when idle.
        const stealable = started > 0 && this.#nextDue !== undefined
          ? false
          : await this.#readIdleWait();
        if (started === 0 && stealable && this.#o.steal && this.#prefetched.length === 0) {
          if (await this.#steal(free) > 0) continue;
        }
        await this.#idle(woken, wakeup.signal);
      } catch (error) {
        this.#rt.logger.error("fetching jobs failed; retrying", { error: String(error) });
        await sleep(errorDelay, stop);
        errorDelay = Math.min(errorDelay * 2, 5_000);
      } finally {
        wakeup.abort(DONE_WAITING);
        stop.removeEventListener("abort", onStop);
      }
    }
  }

  /**
   * Leases up to `free` jobs to start now, plus prefetch, in one call; jobs of the lanes below
   * `high` may take only the slots not kept for the upper lanes. Returns how many started.
   */
  async #reserve(free: number): Promise<number> {
    const lowFree = this.#lowFree();
    const jobs = await this.#call((callId) =>
      this.#rt.store.reserve({
        callId,
        worker: this.id,
        queues: this.#rotatedQueues(),
        leaseMs: this.#o.leaseMs,
        count: free,
        prefetch: Math.max(this.#o.prefetch - this.#prefetched.length, 0),
        ...(lowFree < free ? { lowerLaneLimit: lowFree } : {}),
      })
    );
    return this.#accept(jobs);
  }

  /** Runs a reserve or steal under a call id, kept for a retry when the call fails. */
  async #call(fn: (callId: string) => Promise<Reservation[]>): Promise<Reservation[]> {
    const callId = this.#retryCall ?? newLeaseToken();
    this.#retryCall = callId;
    const jobs = await fn(callId);
    this.#retryCall = null;
    return jobs;
  }

  /** Runs the started jobs of a reserve reply, keeps the prefetched ones; returns how many started. */
  #accept(jobs: Reservation[]): number {
    let started = 0;
    for (const job of jobs) {
      if (this.#stopping.signal.aborted) {
        void this.#handBack([job]);
      } else if (job.started) {
        this.#run(job);
        started++;
      } else {
        this.#prefetched.push(job);
      }
    }
    return started;
  }

  /** Starts prefetched jobs that fit the free slots; true when it started any. */
  async #startPrefetched(): Promise<boolean> {
    if (this.#prefetched.length === 0) return false;
    const picked: Reservation[] = [];
    let free = this.#o.concurrency - this.#running.size;
    let lowFree = this.#lowFree();
    this.#prefetched = this.#prefetched.filter((job) => {
      if (free <= 0) return true;
      if (!isUpper(job.lane)) {
        if (lowFree <= 0) return true;
        lowFree--;
      }
      free--;
      picked.push(job);
      return false;
    });
    if (picked.length === 0) return false;
    let statuses: StatusCode[];
    try {
      statuses = await this.#starts.addAll(picked);
    } catch (error) {
      this.#prefetched.unshift(...picked); // try again; the leases are still ours
      throw error;
    }
    let ran = 0;
    picked.forEach((job, i) => {
      if (statuses[i] === Status.OK) {
        this.#run(job);
        ran++;
      } // else stolen by an idle node, or reclaimed: not ours to run
    });
    return ran > 0;
  }

  /** Takes prefetched jobs from the busiest node (any lane, so only into unreserved slots). */
  async #steal(free: number): Promise<number> {
    const count = Math.min(free, this.#lowFree());
    // at most every other idle poll: stealing is for work stuck behind a busy node, not a race
    if (count <= 0 || performance.now() - this.#lastSteal < this.#o.idlePollMs / 2) return 0;
    this.#lastSteal = performance.now();
    const stolen = await this.#call((callId) =>
      this.#rt.store.steal({
        callId,
        worker: this.id,
        queues: this.#rotatedQueues(),
        count,
        leaseMs: this.#o.leaseMs,
      })
    );
    if (stolen.length) this.#rt.logger.debug("stole prefetched jobs", { count: stolen.length });
    return this.#accept(stolen);
  }

  /** Reads when the next delayed job (or limit) is due; returns whether a steal may find jobs. */
  async #readIdleWait(): Promise<boolean> {
    const { dueIn, stealable } = await this.#rt.store.idleWait(this.#o.queues, this.id);
    this.#nextDue = dueIn === null ? null : performance.now() + dueIn;
    return stealable;
  }

  /** Waits for a wake-up, a free slot, or the next delayed job's due time. */
  async #idle(woken: Promise<void>, signal: AbortSignal): Promise<void> {
    const due = this.#nextDue ?? null;
    const waits = [woken, this.#slotFreed.wait()];
    if (due !== null) {
      const wait = due - performance.now();
      if (wait < this.#o.idlePollMs) waits.push(sleep(Math.max(wait, 0), signal));
    }
    await Promise.race(waits);
  }

  /** Free slots that jobs of the normal, low and batch lanes may take. */
  #lowFree(): number {
    let low = 0;
    for (const r of this.#running.values()) if (!isUpper(r.job.lane)) low++;
    return Math.max(this.#o.concurrency - this.#o.reservedSlots - low, 0);
  }

  #rotatedQueues(): string[] {
    const queues = this.#o.queues;
    if (queues.length < 2) return queues;
    const start = this.#rotation++ % queues.length;
    return [...queues.slice(start), ...queues.slice(0, start)];
  }

  // --- running --------------------------------------------------------------------------------

  #run(job: Reservation): void {
    const controller = new AbortController();
    const running: Running = { job, controller, detached: false, outcome: Promise.resolve() };
    this.#running.set(job.id, running);
    announceStarted(this.#rt, job, this.id);
    const began = performance.now();
    const attempt = runAttempt(this.#rt, this.#exec, job, controller.signal);
    running.outcome = attempt.then((outcome) => {
      this.#running.delete(job.id);
      this.#slotFreed.notify();
      if (running.detached) return;
      if (outcome.kind === "interrupted") return void this.#handBack([job]);
      this.#outcomes.add({ job, outcome, durationMs: performance.now() - began });
    });
  }

  #written(pending: PendingOutcome, status: number, state: JobState | undefined): void {
    const { job, outcome, durationMs } = pending;
    if (status === Status.LEASE_LOST || status === Status.NOT_FOUND) {
      this.#rt.logger.warn("job outcome discarded: lease lost", { job: job.id, fn: job.name });
      const at = this.#rt.clock.now();
      this.#rt.events.emit("lease-lost", { ...eventBase(job, at), worker: this.id });
      return;
    }
    if (outcome.kind === "completed") this.#tally.completed++;
    else if (outcome.kind === "failed") this.#tally.failed++;
    announceOutcome(this.#rt, job, outcome, durationMs, state);
  }

  /**
   * Emits the events of jobs that lost their worker and ended for good (their last attempt
   * stalled, or cancellation was requested), so failure callbacks and alerts fire for them too.
   */
  async #announceEnded(ids: string[]): Promise<void> {
    const { events, store, clock } = this.#rt;
    for (const id of ids) {
      const job = await store.getJob(id).catch(() => null);
      if (!job) continue;
      const base = eventBase(job, clock.now());
      if (job.state === "cancelled") {
        events.emit("cancelled", base);
      } else if (job.state === "dead") {
        events.emit("failed", {
          ...base,
          attempt: job.attempts,
          durationMs: 0,
          error: job.error ? JSON.parse(job.error) : { name: "StalledError", message: "stalled" },
          state: "dead",
          retryAt: null,
        });
      }
    }
  }

  async #renewLeases(): Promise<void> {
    const held = [
      ...[...this.#running.values()].filter((r) => !r.detached).map((r) => r.job),
      ...this.#prefetched,
    ];
    if (held.length === 0) return;
    try {
      const statuses = await this.#rt.store.extendLeases(
        held.map(({ id, token }) => ({ id, token })),
        this.#o.leaseMs,
      );
      statuses.forEach((status, i) => {
        const job = held[i]!;
        const running = this.#running.get(job.id);
        if (status === Status.CANCEL_REQUESTED) {
          running?.controller.abort(new DOMException("job cancelled", "AbortError"));
        } else if (status !== Status.OK) {
          this.#prefetched = this.#prefetched.filter((p) => p !== job);
          if (!running || running.job !== job) return;
          running.detached = true;
          running.controller.abort(new DOMException("lease lost", "AbortError"));
          this.#rt.events.emit("lease-lost", {
            ...eventBase(job, this.#rt.clock.now()),
            worker: this.id,
          });
        }
      });
    } catch (error) {
      this.#rt.logger.warn("lease renewal failed; will retry", { error: String(error) });
    }
  }

  // --- stopping -------------------------------------------------------------------------------

  async #stop(loop: Promise<void>, drainMs: number): Promise<void> {
    this.#stopping.abort();
    this.#slotFreed.notify();
    await loop;
    const prefetched = this.#prefetched;
    this.#prefetched = [];
    await this.#handBack(prefetched);
    if (this.#running.size > 0) {
      const drained = Promise.all([...this.#running.values()].map((r) => r.outcome));
      const deadline = sleep(drainMs, this.#drainCut.signal).then(() => "deadline");
      if (await Promise.race([drained.then(() => "drained"), deadline]) === "deadline") {
        const unfinished = [...this.#running.values()];
        for (const r of unfinished) {
          r.detached = true;
          r.controller.abort(HANDED_BACK);
        }
        await this.#handBack(unfinished.map((r) => r.job));
      }
    }
    for (const timer of this.#timers) clearInterval(timer);
    this.#stopCancels();
    await this.#outcomes.drain();
    await this.#reports.drain();
    await this.#duties.stop();
    await this.#elector?.stop();
    await this.#presence.stop();
    await this.#exec.close();
  }

  /** Gives leased jobs back to their lanes without spending their attempt. */
  async #handBack(jobs: readonly Reservation[]): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await this.#releases.addAll(jobs.map(({ id, token }) => ({ id, token })));
    } catch (error) {
      this.#rt.logger.error("could not hand jobs back; their leases will expire", {
        count: jobs.length,
        error: String(error),
      });
    }
  }
}
