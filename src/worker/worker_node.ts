/**
 * A worker node: registers itself and heartbeats, fetches jobs in batches sized to its free
 * slots (keeping some for the upper lanes), prefetches a few that idle nodes may steal, steals
 * when idle, renews all its leases in one call, writes outcomes in batches, takes part in leader
 * election, and on stop hands unstarted and unfinished jobs back without spending their attempt.
 * Handlers run in its executor: inline, or in a pool of isolates.
 *
 * Parts: fetching in `job_fetcher.ts`, lease renewal in `lease_keeper.ts`, the attempt in
 * `attempt.ts`, its events in `job_events.ts`, presence in `node_presence.ts`.
 *
 * @module
 */
import { hostname } from "node:os";
import { LeaderDuties } from "../cluster/leader_duties.ts";
import { LeaderElector } from "../cluster/leader_elector.ts";
import { sleep } from "../job/clock.ts";
import { newJobId } from "../job/ids.ts";
import type { Reservation } from "../job/job.ts";
import type { JobState } from "../job/states.ts";
import { Status, type StatusCode } from "../job/status.ts";
import type { Release } from "../store/store.ts";
import { Coalescer } from "./coalescer.ts";
import { Wakeup } from "./wakeup.ts";
import type { JobExecutor } from "./executor.ts";
import { NodePresence, type NodeStatus } from "./node_presence.ts";
import type { ResolvedNodeOptions } from "./node_options.ts";
import { OutcomeBatcher, type PendingOutcome } from "./outcome_batcher.ts";
import { AttemptAbort } from "./attempt_abort.ts";
import type { WorkerRuntime } from "./runtime.ts";
import type { StoreJobReports } from "./job_reports.ts";
import { runAttempt } from "./attempt.ts";
import type { AttemptOutcome } from "./run_job.ts";
import {
  announceEnded,
  announceLeaseLost,
  announceOutcome,
  announceStarted,
} from "./job_events.ts";
import { JobFetcher } from "./job_fetcher.ts";
import { LeaseKeeper } from "./lease_keeper.ts";

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

/** Abort reason of a job handed back by a stopping node. */
export const HANDED_BACK = Symbol("sluice: handed back on shutdown");

interface Running {
  job: Reservation;
  abort: AttemptAbort;
  /** The lease is gone (reclaimed or stolen) or the job was handed back: drop its outcome. */
  detached: boolean;
  /** Settles when its outcome is in hand (a promise made only for an attempt still running). */
  outcome: Promise<void>;
}

/** The `outcome` of an attempt that ended in the turn it started. */
const SETTLED: Promise<void> = Promise.resolve();

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
  #stopping = new AbortController();
  /** Aborted by a second `stop({ drainMs: 0 })`: stop waiting for running jobs. */
  #drainCut = new AbortController();
  /** Notified whenever a slot frees up (a job ended) or the node stops. */
  #slotFreed = new Wakeup();
  #outcomes: OutcomeBatcher;
  #fetcher: JobFetcher;
  #leases: LeaseKeeper;
  #releases: Coalescer<Release, StatusCode>;
  #presence: NodePresence;
  #reports: StoreJobReports;
  /** Attempts this node completed and failed since it started (reported with heartbeats). */
  #tally = { completed: 0, failed: 0 };
  #elector: LeaderElector | null = null;
  #duties: LeaderDuties;

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
        count === 0
          ? logger.error("a job outcome was recorded, but handling it failed", {
            error: String(error),
          })
          : logger.error("could not record job outcomes; their leases will expire", {
            count,
            error: String(error),
          }),
      options.leaseMs,
    );
    this.#fetcher = new JobFetcher({
      runtime,
      options,
      worker: this.id,
      running: this.#running,
      slotFreed: this.#slotFreed,
      stopping: this.#stopping.signal,
      run: (job) => this.#run(job),
      handBack: (jobs) => this.#handBack(jobs),
    });
    this.#leases = new LeaseKeeper(runtime, {
      worker: this.id,
      leaseMs: options.leaseMs,
      held: () => [
        ...[...this.#running.values()].filter((r) => !r.detached).map((r) => r.job),
        ...this.#fetcher.prefetched,
      ],
      cancelRequested: (id) => {
        this.#running.get(id)?.abort.abort(new DOMException("job cancelled", "AbortError"));
      },
      lost: (job) => this.#lost(job),
    });
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
      (ids) => void announceEnded(runtime, ids),
    );
  }

  start(): WorkerHandle {
    const ready = Promise.all([this.#presence.start(), this.#exec.start?.()]).then(() => {});
    const loop = ready.then(() => this.#fetcher.loop(), (error) => {
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
    this.#leases.start();
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
        prefetched: this.#fetcher.prefetched.length,
        leader: leads(),
      }),
      stop: (opts) => {
        if (stopped && opts?.drainMs === 0) this.#drainCut.abort(); // a second signal: hurry
        return stopped ??= this.#stop(loop, opts?.drainMs ?? this.#o.drainMs);
      },
    };
  }

  // --- running --------------------------------------------------------------------------------

  /**
   * Starts `job`. An attempt whose outcome comes at once (an inline handler that returned without
   * a promise) ends in the same turn: no promise is made for it.
   */
  #run(job: Reservation): void {
    const abort = new AttemptAbort();
    const running: Running = { job, abort, detached: false, outcome: SETTLED };
    this.#running.set(job.id, running);
    announceStarted(this.#rt, job, this.id);
    const began = performance.now();
    const attempt = runAttempt(this.#rt, this.#exec, job, abort);
    if (attempt instanceof Promise) {
      running.outcome = attempt.then((outcome) => this.#ended(running, outcome, began));
    } else {
      this.#ended(running, attempt, began);
    }
  }

  /** The attempt of `running`, begun at `began` (`performance.now()`), ended in `outcome`. */
  #ended(running: Running, outcome: AttemptOutcome, began: number): void {
    const { job } = running;
    this.#running.delete(job.id);
    this.#slotFreed.notify();
    if (running.detached) return;
    if (outcome.kind === "interrupted") return void this.#handBack([job]);
    const ended = performance.now();
    this.#outcomes.add({ job, outcome, durationMs: ended - began }, ended);
  }

  #written(pending: PendingOutcome, status: number, state: JobState | undefined): void {
    const { job, outcome, durationMs } = pending;
    if (status === Status.LEASE_LOST || status === Status.NOT_FOUND) {
      this.#rt.logger.warn("job outcome discarded: lease lost", { job: job.id, fn: job.name });
      return announceLeaseLost(this.#rt, job, this.id);
    }
    if (outcome.kind === "completed") this.#tally.completed++;
    else if (outcome.kind === "failed") this.#tally.failed++;
    announceOutcome(this.#rt, job, outcome, durationMs, state);
  }

  /** The lease of `job` is gone: forget it if prefetched, detach and abort it if running. */
  #lost(job: Reservation): void {
    this.#fetcher.drop(job);
    const running = this.#running.get(job.id);
    if (!running || running.job !== job) return;
    running.detached = true;
    running.abort.abort(new DOMException("lease lost", "AbortError"));
    announceLeaseLost(this.#rt, job, this.id);
  }

  // --- stopping -------------------------------------------------------------------------------

  async #stop(loop: Promise<void>, drainMs: number): Promise<void> {
    this.#stopping.abort();
    this.#slotFreed.notify();
    await loop;
    await this.#handBack(this.#fetcher.takePrefetched());
    if (this.#running.size > 0) {
      const drained = Promise.all([...this.#running.values()].map((r) => r.outcome));
      const deadline = sleep(drainMs, this.#drainCut.signal).then(() => "deadline");
      if (await Promise.race([drained.then(() => "drained"), deadline]) === "deadline") {
        const unfinished = [...this.#running.values()];
        for (const r of unfinished) {
          r.detached = true;
          r.abort.abort(HANDED_BACK);
        }
        await this.#handBack(unfinished.map((r) => r.job));
      }
    }
    this.#leases.stop();
    await this.#releases.drain(); // hand-backs the fetcher sent on its own (jobs handed late)
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
