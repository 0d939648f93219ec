/**
 * The fetching side of a worker node: a loop that leases jobs in batches sized to the node's
 * free slots (keeping `reservedSlots` for the upper lanes), holds a few prefetched jobs that idle
 * nodes may steal, starts them when slots free up, steals from busy nodes when idle, and sleeps
 * until new work is announced, a slot frees up, or the next delayed job is due.
 *
 * @module
 */
import { sleep } from "../job/clock.ts";
import { newLeaseToken } from "../job/ids.ts";
import type { Reservation } from "../job/job.ts";
import type { Lane } from "../job/lanes.ts";
import { Status, type StatusCode } from "../job/status.ts";
import type { IdleWait } from "../store/store.ts";
import { Coalescer } from "./coalescer.ts";
import type { ResolvedNodeOptions } from "./node_options.ts";
import type { WorkerRuntime } from "./runtime.ts";
import type { Wakeup } from "./wakeup.ts";

const isUpper = (lane: Lane): boolean => lane === "critical" || lane === "high";
const DONE_WAITING = Symbol("done waiting");

/** What the fetcher needs of its node. */
export interface FetcherHost {
  /** The store, logger and clock. */
  readonly runtime: WorkerRuntime;
  /** The node's options. */
  readonly options: ResolvedNodeOptions;
  /** The node id, recorded on the leases. */
  readonly worker: string;
  /** The jobs running now, by id. */
  readonly running: ReadonlyMap<string, { readonly job: Reservation }>;
  /** Notified whenever a slot frees up (a job ended) or the node stops. */
  readonly slotFreed: Wakeup;
  /** Aborted when the node stops. */
  readonly stopping: AbortSignal;
  /** Runs a started job. */
  run(job: Reservation): void;
  /** Gives leased jobs back without spending their attempt. */
  handBack(jobs: readonly Reservation[]): Promise<void>;
}

/** Fetches jobs for a node; see the module doc. */
export class JobFetcher {
  #host: FetcherHost;
  #prefetched: Reservation[] = [];
  #starts: Coalescer<Reservation, StatusCode>;
  #rotation = 0;
  /**
   * When the earliest delayed job is due, as last read, on this process's monotonic clock
   * (`performance.now`; undefined: never read, null: none).
   */
  #nextDue: number | null | undefined = undefined;
  /**
   * Whether a steal may find jobs, as the last reserve answered with its leases when it left
   * slots free (it then also set `#nextDue`); null when it did not answer.
   */
  #idleAnswer: boolean | null = null;
  /** When this node last tried to steal (performance.now). */
  #lastSteal = -Infinity;
  /**
   * The last reserve started fewer jobs than it had room for, and fewer of the lower lanes than
   * they had (so the slots kept for the upper lanes held none back): the store had nothing more
   * this node could start then, so a slot freed since brings none (new work announces itself
   * with a wake-up).
   */
  #drained = false;
  /**
   * The call id of a reserve or steal that failed (it may have run with its reply lost): the
   * next one retries it, so the store hands back those leases instead of leasing more.
   */
  #retryCall: string | null = null;
  /** How long a reserve that leaves this node idle registers it for handoffs (none: no feed). */
  #handoffMs: number | undefined = undefined;
  /** How many more jobs the store may hand this node under its registration, as last known. */
  #handoffRoom = 0;
  /** Whether a reserve is in flight, and whether jobs were handed to the node meanwhile. */
  #reserving = false;
  #handedMeanwhile = false;

  /** A fetcher for `host`; nothing runs until `loop()`. */
  constructor(host: FetcherHost) {
    this.#host = host;
    const { store } = host.runtime;
    this.#starts = new Coalescer((jobs) =>
      store.start(jobs.map(({ id, token }) => ({ id, token })))
    );
  }

  /** The jobs leased ahead, not started. */
  get prefetched(): readonly Reservation[] {
    return this.#prefetched;
  }

  /** Forgets prefetched `job` (its lease is gone). */
  drop(job: Reservation): void {
    this.#prefetched = this.#prefetched.filter((p) => p !== job);
  }

  /** Takes every prefetched job (to hand them back). */
  takePrefetched(): Reservation[] {
    const prefetched = this.#prefetched;
    this.#prefetched = [];
    return prefetched;
  }

  /**
   * Fetches until the node stops; errors are logged and retried with a backoff. Where the store
   * can, jobs enqueued while the node is idle are leased straight to it (`Store.handoffs`).
   */
  async loop(): Promise<void> {
    const { runtime, worker, options } = this.#host;
    const feed = runtime.store.handoffs?.(worker, options.queues, {
      onJobs: this.#handed,
      onError: (error) => {
        runtime.logger.error("a job handed to this node could not be read; its lease will expire", {
          error: String(error),
        });
      },
    });
    this.#handoffMs = feed ? 2 * this.#host.options.idlePollMs + 1_000 : undefined;
    try {
      await this.#fetch();
    } finally {
      await feed?.close();
    }
  }

  async #fetch(): Promise<void> {
    const { runtime, options, stopping: stop, slotFreed, running } = this.#host;
    let errorDelay = 100;
    while (!stop.aborted) {
      slotFreed.clear(); // from here on, a job ending wakes the next wait
      try {
        if (this.#prefetched.length > 0 && await this.#startPrefetched()) continue;
      } catch (error) {
        // the prefetched jobs are kept (their leases are ours): starting them is retried
        runtime.logger.error("starting prefetched jobs failed; retrying", { error: String(error) });
        await sleep(errorDelay, stop);
        errorDelay = Math.min(errorDelay * 2, 5_000);
        continue;
      }
      const free = options.concurrency - running.size;
      if (free <= 0) {
        await slotFreed.wait();
        continue;
      }
      // The reserve is written first (a woken node's first write), then the wait is armed in
      // the same turn of the event loop, before any wake-up can be delivered: work that arrives
      // after the reserve looked still wakes the wait below, and none arrives unheard between.
      const reserving = this.#reserve(free);
      const wakeup = new AbortController();
      const onStop = () => wakeup.abort(DONE_WAITING);
      stop.addEventListener("abort", onStop, { once: true });
      const woken = runtime.store.waitForWork(options.queues, options.idlePollMs, wakeup.signal);
      try {
        const started = await reserving;
        errorDelay = 100;
        if (started >= free) continue; // there may be more: look again once slots free up
        // jobs handed while the reserve was in flight may have taken slots its registration
        // counts as free (the store may have run the handoff first): reserve again, which
        // registers the room left (or drops the registration when the node is full)
        if (this.#handedMeanwhile) continue;
        // A reserve that left slots free answered the idle wait with its leases. Otherwise: while
        // jobs run, the due time last read is good enough when the next reserve comes as a slot
        // frees (it promotes what fell due meanwhile); after a drained reserve none comes then,
        // so the wait needs the due time as it is now.
        const stealable = this.#idleAnswer ??
          (started > 0 && this.#nextDue !== undefined && !this.#drained
            ? false
            : this.#noteIdleWait(await runtime.store.idleWait(options.queues, this.#host.worker)));
        if (started === 0 && stealable && options.steal && this.#prefetched.length === 0) {
          if (await this.#steal(free) > 0) continue;
        }
        // a freed slot alone brings no work after a drained reserve: wait on for a wake-up or
        // the due time (an idle node, busy or not, asks the store only when told to), unless
        // another node holds prefetched jobs this one could steal with the freed slot
        // ... nor while the store may still hand this node jobs (once it has handed as many as
        // the registration had room for, the registration is gone: a reserve renews it)
        const mayStealLater = stealable && options.steal;
        while (
          await this.#idle(woken, wakeup.signal) === "slot" && this.#drained &&
          !mayStealLater && this.#prefetched.length === 0 && !stop.aborted &&
          (this.#handoffMs === undefined || this.#handoffRoom > 0)
        );
      } catch (error) {
        runtime.logger.error("fetching jobs failed; retrying", { error: String(error) });
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
    const { runtime, options } = this.#host;
    const lowFree = this.#lowFree();
    this.#drained = false;
    this.#idleAnswer = null;
    this.#reserving = true;
    this.#handedMeanwhile = false;
    const jobs = await this.#call((callId) =>
      runtime.store.reserve({
        callId,
        worker: this.#host.worker,
        queues: this.#rotatedQueues(),
        leaseMs: options.leaseMs,
        count: free,
        prefetch: Math.max(options.prefetch - this.#prefetched.length, 0),
        ...(lowFree < free ? { lowerLaneLimit: lowFree } : {}),
        onIdle: this.#onIdle,
        ...(this.#handoffMs === undefined ? {} : { handoffMs: this.#handoffMs }),
      })
    ).finally(() => {
      this.#reserving = false;
    });
    this.#accept(jobs);
    // as the store counted them (a job #accept handed back for want of a slot still took one)
    const started = jobs.filter((job) => job.started).length;
    this.#handoffRoom = this.#handoffMs !== undefined && started < free ? free - started : 0;
    const lowerStarted = jobs.filter((job) => job.started && !isUpper(job.lane)).length;
    this.#drained = started < free && lowerStarted < lowFree;
    return started;
  }

  /** Runs a reserve or steal under a call id, kept for a retry when the call fails. */
  async #call(fn: (callId: string) => Promise<Reservation[]>): Promise<Reservation[]> {
    const callId = this.#retryCall ?? newLeaseToken();
    this.#retryCall = callId;
    const jobs = await fn(callId);
    this.#retryCall = null;
    return jobs;
  }

  /**
   * Runs the started jobs of a reserve, steal or handoff, keeps the prefetched ones; returns how
   * many it ran. A started job that finds no free slot is handed back: a handoff and a reserve
   * of this node's may both lease jobs for the same slots (the store runs them in either order,
   * and their replies come on two connections). Every job is handed back when the node stops.
   */
  #accept(jobs: Reservation[]): number {
    const { options, running, stopping } = this.#host;
    let free = options.concurrency - running.size;
    let lowFree = this.#lowFree();
    const back: Reservation[] = [];
    let ran = 0;
    for (const job of jobs) {
      const upper = isUpper(job.lane);
      if (stopping.aborted || (job.started && (free <= 0 || (!upper && lowFree <= 0)))) {
        back.push(job);
      } else if (job.started) {
        free--;
        if (!upper) lowFree--;
        this.#host.run(job);
        ran++;
      } else {
        this.#prefetched.push(job);
      }
    }
    if (back.length > 0) void this.#host.handBack(back);
    return ran;
  }

  /** Starts prefetched jobs that fit the free slots; true when it started any. */
  async #startPrefetched(): Promise<boolean> {
    if (this.#prefetched.length === 0) return false;
    const picked: Reservation[] = [];
    let free = this.#host.options.concurrency - this.#host.running.size;
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
        this.#host.run(job);
        ran++;
      } // else stolen by an idle node, or reclaimed: not ours to run
    });
    return ran > 0;
  }

  /** Takes prefetched jobs from the busiest node (any lane, so only into unreserved slots). */
  async #steal(free: number): Promise<number> {
    const { runtime, options } = this.#host;
    const count = Math.min(free, this.#lowFree());
    // at most every other idle poll: stealing is for work stuck behind a busy node, not a race
    if (count <= 0 || performance.now() - this.#lastSteal < options.idlePollMs / 2) return 0;
    this.#lastSteal = performance.now();
    const stolen = await this.#call((callId) =>
      runtime.store.steal({
        callId,
        worker: this.#host.worker,
        queues: this.#rotatedQueues(),
        count,
        leaseMs: options.leaseMs,
      })
    );
    if (stolen.length === 0) return 0;
    runtime.logger.debug("stole prefetched jobs", { count: stolen.length });
    this.#handoffRoom = 0; // a steal that took jobs drops the registration
    return this.#accept(stolen);
  }

  /** Keeps when the next delayed job (or limit) is due; returns whether a steal may find jobs. */
  #noteIdleWait({ dueIn, stealable }: IdleWait): boolean {
    this.#nextDue = dueIn === null ? null : performance.now() + dueIn;
    return stealable;
  }

  /** Takes the jobs the store leased straight to this idle node, as a reserve's. */
  #handed = (jobs: Reservation[]): void => {
    if (this.#reserving) this.#handedMeanwhile = true;
    this.#handoffRoom -= jobs.filter((job) => job.started).length;
    this.#accept(jobs);
  };

  /** Takes the idle wait a reserve that left slots free answered with its leases. */
  #onIdle = (wait: IdleWait): void => {
    this.#idleAnswer = this.#noteIdleWait(wait);
  };

  /**
   * Waits for a wake-up, a free slot, or the next delayed job's due time; says "slot" when a
   * freed slot ended the wait.
   */
  #idle(woken: Promise<void>, signal: AbortSignal): Promise<"slot" | "other"> {
    const due = this.#nextDue ?? null;
    const other = (): "other" => "other";
    const waits: Promise<"slot" | "other">[] = [
      woken.then(other),
      this.#host.slotFreed.wait().then((): "slot" => "slot"),
    ];
    if (due !== null) {
      const wait = due - performance.now();
      if (wait < this.#host.options.idlePollMs) {
        waits.push(sleep(Math.max(wait, 0), signal).then(other));
      }
    }
    return Promise.race(waits);
  }

  /** Free slots that jobs of the normal, low and batch lanes may take. */
  #lowFree(): number {
    const { options, running } = this.#host;
    let low = 0;
    for (const r of running.values()) if (!isUpper(r.job.lane)) low++;
    return Math.max(options.concurrency - options.reservedSlots - low, 0);
  }

  #rotatedQueues(): string[] {
    const queues = this.#host.options.queues;
    if (queues.length < 2) return queues;
    const start = this.#rotation++ % queues.length;
    return [...queues.slice(start), ...queues.slice(0, start)];
  }
}
