/**
 * `MemoryStore`: the whole store in one process's memory, for tests and local runs. Every verb is
 * one synchronous step, so each transition is atomic. Semantics match `RedisStore` exactly; the
 * conformance suite (`src/store/_conformance.ts`) holds both to that.
 *
 * @module
 */
import type {
  HeartbeatInfo,
  LeaderInfo,
  LeaderLease,
  NodeInfo,
  NodeRecord,
  ReapOutcome,
} from "../cluster.ts";
import type { JobRecord, Reservation } from "../../job/job.ts";
import {
  ATTEMPT_HISTORY_LIMIT,
  attemptError,
  type AttemptOutcomeName,
} from "../../job/attempt_history.ts";
import { type Lane, laneIndex, LANES } from "../../job/lanes.ts";
import { JOB_STATES, type JobState } from "../../job/states.ts";
import { Status, type StatusCode } from "../../job/status.ts";
import { type Clock, systemClock } from "../../job/clock.ts";
import { newLeaseToken } from "../../job/ids.ts";
import {
  defaultLaneConfig,
  type LaneConfig,
  type LaneConfigInput,
  mergeLaneConfig,
} from "../../schedule/lane_config.ts";
import {
  type LaneHead,
  type LanePickerState,
  newPickerState,
  pickLane,
} from "../../schedule/lane_picker.ts";
import type {
  Completion,
  DeadLetterBatch,
  DeadLetterQuery,
  EnqueueOutcome,
  Failure,
  JobListQuery,
  JobPage,
  LeaseProof,
  NewJob,
  QueueCounts,
  ReclaimOutcome,
  Release,
  ReserveRequest,
  RetentionConfig,
  StealRequest,
  Store,
  TransitionOutcome,
} from "../store.ts";
import { KeyedHeap } from "./keyed_heap.ts";
import { Waiters } from "../_waiters.ts";
import { PrefetchIndex } from "./prefetch_index.ts";
import { LeaderSeat, NodeTable } from "./cluster_records.ts";
import {
  DEFAULT_DEAD_BATCH,
  DEFAULT_DEAD_PAGE,
  matchesDead,
  type ResolvedDeadQuery,
  resolveDeadQuery,
  scanDead,
} from "../dead_letters.ts";
import {
  DEFAULT_RETENTION,
  FIRST_LOWER_LANE,
  parsePage,
  PROMOTE_BATCH,
  RECLAIM_BATCH,
  reserveShape,
  stalledError,
} from "../_shared.ts";

interface MemJob extends JobRecord {
  seq: number;
  waitingSince: number;
  token: string | null;
  /** Leased unstarted (listed in the prefetch index under its worker) while true. */
  prefetched: boolean;
}

interface MemQueue {
  lanes: KeyedHeap[];
  delayed: KeyedHeap;
  active: KeyedHeap;
  completed: KeyedHeap;
  cancelled: KeyedHeap;
  dead: KeyedHeap;
  counts: Record<JobState, number[]>;
  paused: boolean;
  config: LaneConfig;
  picker: LanePickerState;
  seq: number;
}

/** Options of `MemoryStore`. */
export interface MemoryStoreOptions {
  /** The clock for due times, leases and aging (default: the system clock). */
  clock?: Clock;
  /** Retention of finished jobs. */
  retention?: Partial<RetentionConfig>;
}

/** The in-memory `Store`. */
export class MemoryStore implements Store {
  #clock: Clock;
  #retention: RetentionConfig;
  #jobs = new Map<string, MemJob>();
  #queues = new Map<string, MemQueue>();
  #waiters = new Waiters();
  #prefetched = new PrefetchIndex();
  #nodes = new NodeTable();
  #leader = new LeaderSeat();
  #closed = false;

  /** Creates an empty store. */
  constructor(options: MemoryStoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#retention = { ...DEFAULT_RETENTION, ...options.retention };
  }

  enqueue(jobs: readonly NewJob[]): Promise<EnqueueOutcome[]> {
    const now = this.#clock.now();
    const woken = new Set<string>();
    const out = jobs.map((job) => {
      const existing = this.#jobs.get(job.id);
      if (existing) return { id: job.id, created: false, state: existing.state };
      const q = this.#queue(job.queue);
      const record: MemJob = {
        id: job.id,
        name: job.name,
        queue: job.queue,
        lane: job.lane,
        state: "waiting",
        payload: job.payload,
        attempts: 0,
        maxAttempts: job.maxAttempts,
        stalls: 0,
        releases: 0,
        enqueuedAt: now,
        runAt: Math.max(job.runAt, now),
        startedAt: null,
        finishedAt: null,
        result: null,
        error: null,
        worker: null,
        leaseDeadline: null,
        cancelRequested: false,
        history: [],
        backoff: job.backoff ?? null,
        seq: 0,
        waitingSince: now,
        token: null,
        prefetched: false,
      };
      this.#jobs.set(job.id, record);
      if (job.runAt > now) {
        record.state = "delayed";
        q.delayed.set(job.id, record.runAt);
        this.#count(q, "delayed", job.lane, +1);
      } else {
        this.#toLane(q, record, now, ++q.seq);
      }
      woken.add(job.queue);
      return { id: job.id, created: true, state: record.state };
    });
    this.#wake(woken);
    return Promise.resolve(out);
  }

  reserve(request: ReserveRequest): Promise<Reservation[]> {
    const now = this.#clock.now();
    const tokenBase = newLeaseToken();
    const { prefetch, lanes, lowerLimit } = reserveShape(request);
    let { started } = reserveShape(request);
    let want = started + prefetch;
    const allowed = LANES.map((_, i) => lanes?.includes(i) ?? true);
    const out: Reservation[] = [];
    let lowerTaken = 0;
    for (const name of request.queues) {
      if (out.length >= want) break;
      const q = this.#queues.get(name);
      if (!q || q.paused) continue;
      this.#promote(q, now, Math.max(PROMOTE_BATCH, want));
      const heads = q.lanes.map((lane, i) => allowed[i] ? this.#head(lane) : undefined);
      while (out.length < want) {
        const capped = lowerLimit !== null && out.length < started && lowerTaken >= lowerLimit;
        let li = pickLane(q.picker, capped ? upperOnly(heads) : heads, q.config, now);
        if (li < 0 && capped) {
          // the upper lanes ran dry under the limit: the other picks are prefetched
          started = out.length;
          want = started + prefetch;
          if (out.length >= want) break;
          li = pickLane(q.picker, heads, q.config, now);
        }
        if (li < 0) break;
        const { id } = q.lanes[li]!.pop()!;
        heads[li] = this.#head(q.lanes[li]!);
        const job = this.#jobs.get(id)!;
        this.#count(q, "waiting", job.lane, -1);
        this.#count(q, "active", job.lane, +1);
        job.attempts += 1;
        const token = `${tokenBase}.${out.length}`;
        const isStarted = out.length < started;
        if (isStarted && li >= FIRST_LOWER_LANE) lowerTaken++;
        out.push(this.#lease(q, job, request.worker, token, request.leaseMs, now, isStarted));
        if (!isStarted) {
          job.prefetched = true;
          this.#prefetched.add(request.worker, job.queue, id);
        }
      }
    }
    return Promise.resolve(out);
  }

  complete(items: readonly Completion[]): Promise<StatusCode[]> {
    const now = this.#clock.now();
    return Promise.resolve(items.map((item) => {
      const job = this.#jobs.get(item.id);
      if (!job) return Status.NOT_FOUND;
      if (job.token !== item.token) return Status.LEASE_LOST;
      if (job.state === "completed") return Status.OK; // the same call, delivered twice
      if (job.state !== "active") return Status.LEASE_LOST;
      const q = this.#queue(job.queue);
      this.#leaveActive(q, job);
      this.#recordAttempt(job, "completed", null, now);
      job.result = item.result;
      this.#finish(q, job, "completed", now);
      return Status.OK;
    }));
  }

  fail(items: readonly Failure[]): Promise<TransitionOutcome[]> {
    const now = this.#clock.now();
    const woken = new Set<string>();
    const out = items.map((item): TransitionOutcome => {
      const job = this.#jobs.get(item.id);
      if (!job) return { status: Status.NOT_FOUND };
      if (job.token !== item.token) return { status: Status.LEASE_LOST, state: job.state };
      if (job.state !== "active") return { status: Status.OK, state: job.state }; // delivered twice
      const q = this.#queue(job.queue);
      this.#leaveActive(q, job);
      this.#recordAttempt(job, job.cancelRequested ? "cancelled" : "failed", item.error, now);
      job.error = item.error;
      if (job.cancelRequested) {
        this.#finish(q, job, "cancelled", now);
      } else if (item.retryAt === null) {
        this.#finish(q, job, "dead", now);
      } else if (item.retryAt > now) {
        job.state = "delayed";
        job.runAt = item.retryAt;
        q.delayed.set(job.id, job.runAt);
        this.#count(q, "delayed", job.lane, +1);
      } else {
        job.runAt = now;
        this.#toLane(q, job, now, ++q.seq);
        woken.add(job.queue);
      }
      return { status: Status.OK, state: job.state };
    });
    this.#wake(woken);
    return Promise.resolve(out);
  }

  release(items: readonly Release[]): Promise<StatusCode[]> {
    const now = this.#clock.now();
    const woken = new Set<string>();
    const out = items.map((item) => {
      const job = this.#jobs.get(item.id);
      if (!job) return Status.NOT_FOUND;
      if (job.token !== item.token) return Status.LEASE_LOST;
      if (job.state !== "active") return Status.OK; // delivered twice
      const q = this.#queue(job.queue);
      this.#leaveActive(q, job);
      this.#recordAttempt(job, job.cancelRequested ? "cancelled" : "released", null, now);
      job.attempts -= 1;
      job.releases += 1;
      if (job.cancelRequested) {
        this.#finish(q, job, "cancelled", now);
      } else if (item.runAt !== undefined && item.runAt > now) {
        job.state = "delayed";
        job.runAt = item.runAt;
        q.delayed.set(job.id, job.runAt);
        this.#count(q, "delayed", job.lane, +1);
      } else {
        this.#toLane(q, job, now, job.seq);
        woken.add(job.queue);
      }
      return Status.OK;
    });
    this.#wake(woken);
    return Promise.resolve(out);
  }

  extendLeases(items: readonly LeaseProof[], leaseMs: number): Promise<StatusCode[]> {
    const now = this.#clock.now();
    return Promise.resolve(items.map((item) => {
      const job = this.#jobs.get(item.id);
      if (!job) return Status.NOT_FOUND;
      if (job.state !== "active" || job.token !== item.token) return Status.LEASE_LOST;
      job.leaseDeadline = now + leaseMs;
      this.#queue(job.queue).active.set(job.id, job.leaseDeadline);
      return job.cancelRequested ? Status.CANCEL_REQUESTED : Status.OK;
    }));
  }

  reclaimExpired(limit = RECLAIM_BATCH): Promise<ReclaimOutcome> {
    const now = this.#clock.now();
    const out: ReclaimOutcome = { requeued: [], dead: [] };
    const woken = new Set<string>();
    for (const [name, q] of this.#queues) {
      for (;;) {
        if (out.requeued.length + out.dead.length >= limit) break;
        const top = q.active.peek();
        if (!top || top.score > now) break;
        const job = this.#jobs.get(top.id)!;
        if (this.#stall(q, job, now)) {
          out.requeued.push(job.id);
          woken.add(name);
        } else {
          out.dead.push(job.id);
        }
      }
    }
    this.#wake(woken);
    return Promise.resolve(out);
  }

  promoteDue(queues: readonly string[], limit = PROMOTE_BATCH): Promise<number> {
    const now = this.#clock.now();
    let moved = 0;
    const woken = new Set<string>();
    for (const name of queues) {
      const q = this.#queues.get(name);
      if (!q) continue;
      const n = this.#promote(q, now, limit - moved);
      if (n > 0) woken.add(name);
      moved += n;
    }
    this.#wake(woken);
    return Promise.resolve(moved);
  }

  changePriority(id: string, lane: Lane): Promise<TransitionOutcome> {
    const job = this.#jobs.get(id);
    if (!job) return Promise.resolve({ status: Status.NOT_FOUND });
    if (job.state !== "waiting" && job.state !== "delayed" && job.state !== "blocked") {
      return Promise.resolve({ status: Status.WRONG_STATE, state: job.state });
    }
    const q = this.#queue(job.queue);
    this.#count(q, job.state, job.lane, -1);
    if (job.state === "waiting") {
      q.lanes[laneIndex(job.lane)]!.delete(id);
      q.lanes[laneIndex(lane)]!.set(id, job.seq);
    }
    job.lane = lane;
    this.#count(q, job.state, lane, +1);
    return Promise.resolve({ status: Status.OK, state: job.state });
  }

  cancel(id: string): Promise<TransitionOutcome> {
    const now = this.#clock.now();
    const job = this.#jobs.get(id);
    if (!job) return Promise.resolve({ status: Status.NOT_FOUND });
    const q = this.#queue(job.queue);
    switch (job.state) {
      case "active":
        job.cancelRequested = true;
        return Promise.resolve({ status: Status.CANCEL_REQUESTED, state: "active" });
      case "waiting":
        q.lanes[laneIndex(job.lane)]!.delete(id);
        break;
      case "delayed":
        q.delayed.delete(id);
        break;
      case "blocked":
        break;
      default:
        return Promise.resolve({ status: Status.WRONG_STATE, state: job.state });
    }
    this.#count(q, job.state, job.lane, -1);
    this.#finish(q, job, "cancelled", now);
    return Promise.resolve({ status: Status.OK, state: "cancelled" });
  }

  getJob(id: string): Promise<JobRecord | null> {
    const job = this.#jobs.get(id);
    return Promise.resolve(job ? publicRecord(job) : null);
  }

  listJobs(query: JobListQuery): Promise<JobPage> {
    const q = this.#queues.get(query.queue);
    let paging: { offset: number; limit: number };
    try {
      paging = parsePage(query);
    } catch (error) {
      return Promise.reject(error);
    }
    const { offset, limit } = paging;
    if (!q) return Promise.resolve({ jobs: [], nextCursor: null });
    let ids: string[];
    if (query.state === "waiting") {
      const lanes = query.lane ? [laneIndex(query.lane)] : LANES.map((_, i) => i);
      ids = lanes.flatMap((i) => q.lanes[i]!.sorted().map((e) => e.id));
    } else {
      const heap = this.#stateIndex(q, query.state);
      ids = heap ? heap.sorted().map((e) => e.id) : [];
      if (query.lane) ids = ids.filter((id) => this.#jobs.get(id)!.lane === query.lane);
    }
    const page = ids.slice(offset, offset + limit);
    return Promise.resolve({
      jobs: page.map((id) => publicRecord(this.#jobs.get(id)!)),
      nextCursor: offset + limit < ids.length ? String(offset + limit) : null,
    });
  }

  listDead(query: DeadLetterQuery): Promise<JobPage> {
    const jobs: JobRecord[] = [];
    return this.#scanDead(query, DEFAULT_DEAD_PAGE, "listDead", (job) => {
      jobs.push(publicRecord(job));
    }).then((nextCursor) => ({ jobs, nextCursor }));
  }

  requeueDead(query: DeadLetterQuery): Promise<DeadLetterBatch> {
    const now = this.#clock.now();
    const ids: string[] = [];
    return this.#scanDead(query, DEFAULT_DEAD_BATCH, "requeueDead", (job, q) => {
      q.dead.delete(job.id);
      this.#count(q, "dead", job.lane, -1);
      Object.assign(job, { attempts: 0, stalls: 0, releases: 0, runAt: now, finishedAt: null });
      Object.assign(job, { token: null, cancelRequested: false });
      this.#toLane(q, job, now, ++q.seq);
      ids.push(job.id);
    }).then((nextCursor) => {
      if (ids.length > 0) this.#wake(new Set([query.queue]));
      return { ids, nextCursor };
    });
  }

  purgeDead(query: DeadLetterQuery): Promise<DeadLetterBatch> {
    const ids: string[] = [];
    return this.#scanDead(query, DEFAULT_DEAD_BATCH, "purgeDead", (job, q) => {
      q.dead.delete(job.id);
      this.#count(q, "dead", job.lane, -1);
      this.#jobs.delete(job.id);
      ids.push(job.id);
    }).then((nextCursor) => ({ ids, nextCursor }));
  }

  counts(queue: string): Promise<QueueCounts> {
    const q = this.#queues.get(queue);
    const states = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    const lanes = Object.fromEntries(
      LANES.map((lane) => [lane, { ...states }]),
    ) as Record<Lane, Record<JobState, number>>;
    if (q) {
      for (const state of JOB_STATES) {
        LANES.forEach((lane, i) => {
          const n = state === "waiting" ? q.lanes[i]!.size : q.counts[state][i]!;
          lanes[lane][state] = n;
          states[state] += n;
        });
      }
    }
    return Promise.resolve({ queue, paused: q?.paused ?? false, states, lanes });
  }

  queues(): Promise<string[]> {
    return Promise.resolve([...this.#queues.keys()].sort());
  }

  pause(queue: string): Promise<void> {
    this.#queue(queue).paused = true;
    return Promise.resolve();
  }

  resume(queue: string): Promise<void> {
    this.#queue(queue).paused = false;
    this.#wake(new Set([queue]));
    return Promise.resolve();
  }

  getLaneConfig(queue: string): Promise<LaneConfig> {
    return Promise.resolve(structuredClone(this.#queues.get(queue)?.config ?? defaultLaneConfig()));
  }

  configureLanes(queue: string, input: LaneConfigInput): Promise<LaneConfig> {
    let config: LaneConfig;
    try {
      config = mergeLaneConfig(this.#queues.get(queue)?.config ?? defaultLaneConfig(), input);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#queue(queue).config = config;
    return Promise.resolve(structuredClone(config));
  }

  nextDueAt(queues: readonly string[]): Promise<number | null> {
    let next: number | null = null;
    for (const name of queues) {
      const top = this.#queues.get(name)?.delayed.peek();
      if (top && (next === null || top.score < next)) next = top.score;
    }
    return Promise.resolve(next);
  }

  waitForWork(queues: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#waiters.wait(queues, timeoutMs, signal);
  }

  start(items: readonly LeaseProof[]): Promise<StatusCode[]> {
    const now = this.#clock.now();
    return Promise.resolve(items.map((item) => {
      const job = this.#jobs.get(item.id);
      if (!job) return Status.NOT_FOUND;
      if (job.state !== "active" || job.token !== item.token) return Status.LEASE_LOST;
      if (job.prefetched) {
        this.#unprefetch(job);
        job.startedAt = now;
      }
      return Status.OK;
    }));
  }

  steal(request: StealRequest): Promise<Reservation[]> {
    if (request.count <= 0) return Promise.resolve([]);
    const queues = [...new Set(request.queues)];
    const victim = this.#prefetched.busiest(request.worker, queues);
    if (!victim) return Promise.resolve([]);
    const now = this.#clock.now();
    const tokenBase = newLeaseToken();
    const take = Math.min(request.count, Math.ceil(victim.count / 2));
    const picks = this.#prefetched.take(victim.node, queues, take);
    return Promise.resolve(picks.map(({ id }, n) => {
      const job = this.#jobs.get(id)!;
      job.prefetched = false;
      const token = `${tokenBase}.${n}`;
      return this.#lease(
        this.#queue(job.queue),
        job,
        request.worker,
        token,
        request.leaseMs,
        now,
        true,
      );
    }));
  }

  registerNode(node: NodeInfo, ttlMs: number): Promise<void> {
    this.#nodes.register(node, this.#clock.now(), ttlMs);
    return Promise.resolve();
  }

  heartbeat(nodeId: string, info: HeartbeatInfo, ttlMs: number): Promise<boolean> {
    return Promise.resolve(this.#nodes.heartbeat(nodeId, info, this.#clock.now(), ttlMs));
  }

  deregisterNode(nodeId: string): Promise<void> {
    this.#nodes.delete(nodeId);
    return Promise.resolve();
  }

  listNodes(): Promise<NodeRecord[]> {
    return Promise.resolve(
      this.#nodes.list().map((node) => ({ ...node, prefetched: this.#prefetched.total(node.id) })),
    );
  }

  acquireLeadership(nodeId: string, ttlMs: number): Promise<LeaderLease | null> {
    return Promise.resolve(this.#leader.acquire(nodeId, this.#clock.now(), ttlMs));
  }

  renewLeadership(lease: LeaderLease, ttlMs: number): Promise<LeaderLease | null> {
    return Promise.resolve(this.#leader.renew(lease, this.#clock.now(), ttlMs));
  }

  resignLeadership(lease: LeaderLease): Promise<void> {
    this.#leader.resign(lease);
    return Promise.resolve();
  }

  getLeader(): Promise<LeaderInfo | null> {
    return Promise.resolve(this.#leader.current(this.#clock.now()));
  }

  reapDeadNodes(lease: LeaderLease): Promise<{ status: StatusCode; outcome: ReapOutcome }> {
    const now = this.#clock.now();
    const outcome: ReapOutcome = { nodes: [], requeued: [], dead: [] };
    if (!this.#leader.holds(lease, now)) {
      return Promise.resolve({ status: Status.NOT_LEADER, outcome });
    }
    outcome.nodes = this.#nodes.expired(now);
    const dead = new Set(outcome.nodes);
    const woken = new Set<string>();
    if (dead.size > 0) {
      // Scans every active job (reaps are rare; no per-node index burdens the hot path).
      for (const [name, q] of this.#queues) {
        for (const { id } of q.active.sorted()) {
          const job = this.#jobs.get(id)!;
          if (!dead.has(job.worker!)) continue;
          if (this.#stall(q, job, now)) {
            outcome.requeued.push(id);
            woken.add(name);
          } else {
            outcome.dead.push(id);
          }
        }
      }
    }
    for (const node of outcome.nodes) this.#nodes.delete(node);
    this.#wake(woken);
    return Promise.resolve({ status: Status.OK, outcome });
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#waiters.wakeAll();
    return Promise.resolve();
  }

  #queue(name: string): MemQueue {
    let q = this.#queues.get(name);
    if (!q) {
      q = {
        lanes: LANES.map(() => new KeyedHeap()),
        delayed: new KeyedHeap(),
        active: new KeyedHeap(),
        completed: new KeyedHeap(),
        cancelled: new KeyedHeap(),
        dead: new KeyedHeap(),
        counts: Object.fromEntries(JOB_STATES.map((s) => [s, LANES.map(() => 0)])) as Record<
          JobState,
          number[]
        >,
        paused: false,
        config: defaultLaneConfig(),
        picker: newPickerState(),
        seq: 0,
      };
      this.#queues.set(name, q);
    }
    return q;
  }

  /** Runs `visit` on the dead jobs `query` selects (see `scanDead`); resolves to the cursor. */
  #scanDead(
    query: DeadLetterQuery,
    defaultLimit: number,
    verb: string,
    visit: (job: MemJob, q: MemQueue) => void,
  ): Promise<string | null> {
    let resolved: ResolvedDeadQuery;
    try {
      resolved = resolveDeadQuery(query, defaultLimit, verb);
    } catch (error) {
      return Promise.reject(error);
    }
    const q = this.#queues.get(resolved.queue);
    if (!q) return Promise.resolve(null);
    if (resolved.ids) {
      for (const id of resolved.ids) {
        const job = this.#jobs.get(id);
        if (job?.state === "dead" && job.queue === resolved.queue && matchesDead(job, resolved)) {
          visit(job, q);
        }
      }
      return Promise.resolve(null);
    }
    const jobOf = (id: string): MemJob => this.#jobs.get(id)!;
    return Promise.resolve(
      scanDead(q.dead.sorted(), resolved, jobOf, (id) => visit(jobOf(id), q)),
    );
  }

  #stateIndex(q: MemQueue, state: JobState): KeyedHeap | null {
    switch (state) {
      case "delayed":
        return q.delayed;
      case "active":
        return q.active;
      case "completed":
        return q.completed;
      case "cancelled":
        return q.cancelled;
      case "dead":
        return q.dead;
      default:
        return null;
    }
  }

  #count(q: MemQueue, state: JobState, lane: Lane, delta: number): void {
    if (state === "waiting") return; // waiting depth is the lane heap's size
    q.counts[state][laneIndex(lane)]! += delta;
  }

  #head(lane: KeyedHeap): LaneHead | undefined {
    const top = lane.peek();
    return top ? { since: this.#jobs.get(top.id)!.waitingSince, seq: top.score } : undefined;
  }

  #toLane(q: MemQueue, job: MemJob, now: number, seq: number): void {
    job.state = "waiting";
    job.seq = seq;
    job.waitingSince = now;
    q.lanes[laneIndex(job.lane)]!.set(job.id, seq);
  }

  /**
   * Handles an active job whose lease is void (it expired, or its node died): stalls + 1;
   * cancellation requested => cancelled; last attempt => dead with the stalled error; else back
   * in its lane at its old place with its token cleared. True when requeued (the caller wakes
   * the queue). The one place for this rule: `reclaimExpired` and `reapDeadNodes` use it.
   */
  #stall(q: MemQueue, job: MemJob, now: number): boolean {
    this.#leaveActive(q, job);
    job.stalls += 1;
    if (job.cancelRequested) {
      this.#recordAttempt(job, "cancelled", null, now);
      this.#finish(q, job, "cancelled", now);
      return false;
    }
    if (job.attempts >= job.maxAttempts) {
      job.error = JSON.stringify(stalledError(job.attempts, job.maxAttempts));
      this.#recordAttempt(job, "stalled", job.error, now);
      this.#finish(q, job, "dead", now);
      return false;
    }
    this.#recordAttempt(job, "stalled", null, now);
    job.token = null; // the lease is gone: its holder's later calls are refused
    this.#toLane(q, job, now, job.seq);
    return true;
  }

  #leaveActive(q: MemQueue, job: MemJob): void {
    q.active.delete(job.id);
    this.#count(q, "active", job.lane, -1);
    job.leaseDeadline = null;
    if (job.prefetched) this.#unprefetch(job);
  }

  /** Ends the prefetched status of `job`: it is no longer stealable. */
  #unprefetch(job: MemJob): void {
    job.prefetched = false;
    this.#prefetched.remove(job.worker!, job.queue, job.id);
  }

  /** Leases `job` (of `q`) to `worker` from now and returns its reservation. */
  #lease(
    q: MemQueue,
    job: MemJob,
    worker: string,
    token: string,
    leaseMs: number,
    now: number,
    started: boolean,
  ): Reservation {
    job.state = "active";
    job.startedAt = now;
    job.worker = worker;
    job.token = token;
    job.leaseDeadline = now + leaseMs;
    q.active.set(job.id, job.leaseDeadline);
    return {
      id: job.id,
      name: job.name,
      queue: job.queue,
      lane: job.lane,
      payload: job.payload,
      attempt: job.attempts,
      maxAttempts: job.maxAttempts,
      stalls: job.stalls,
      releases: job.releases,
      enqueuedAt: job.enqueuedAt,
      runAt: job.runAt,
      startedAt: now,
      token,
      leaseDeadline: job.leaseDeadline,
      started,
      backoff: job.backoff,
    };
  }

  #finish(q: MemQueue, job: MemJob, state: "completed" | "dead" | "cancelled", now: number): void {
    job.state = state;
    job.finishedAt = now;
    job.leaseDeadline = null;
    this.#count(q, state, job.lane, +1);
    const index = this.#stateIndex(q, state)!;
    index.set(job.id, now);
    const keep = state === "dead" ? this.#retention.keepDead : this.#retention.keepFinished;
    while (index.size > keep) {
      const old = index.pop()!;
      const oldJob = this.#jobs.get(old.id)!;
      this.#count(q, state, oldJob.lane, -1);
      this.#jobs.delete(old.id);
    }
  }

  /** Appends the attempt that just ended to `job`'s history (before its fields change). */
  #recordAttempt(
    job: MemJob,
    outcome: AttemptOutcomeName,
    error: string | null,
    now: number,
  ): void {
    job.history.push({
      attempt: job.attempts,
      startedAt: job.startedAt,
      finishedAt: now,
      worker: job.worker,
      outcome,
      error: attemptError(error),
    });
    if (job.history.length > ATTEMPT_HISTORY_LIMIT) {
      job.history.splice(0, job.history.length - ATTEMPT_HISTORY_LIMIT);
    }
  }

  #promote(q: MemQueue, now: number, limit: number): number {
    let moved = 0;
    while (moved < limit) {
      const top = q.delayed.peek();
      if (!top || top.score > now) break;
      q.delayed.pop();
      const job = this.#jobs.get(top.id)!;
      this.#count(q, "delayed", job.lane, -1);
      this.#toLane(q, job, now, ++q.seq);
      moved++;
    }
    return moved;
  }

  #wake(queues: ReadonlySet<string>): void {
    this.#waiters.wake(queues);
  }
}

function publicRecord(job: MemJob): JobRecord {
  const { seq: _seq, waitingSince: _since, token: _token, prefetched: _pf, ...record } = job;
  return { ...record, history: structuredClone(job.history) };
}

/** `heads` with the lanes below `high` shown empty. */
function upperOnly<T>(heads: readonly (T | undefined)[]): (T | undefined)[] {
  return heads.map((head, i) => i < FIRST_LOWER_LANE ? head : undefined);
}
