/**
 * What the memory store holds per job and per queue: its records, as `mem_state.ts` and the verbs
 * read and change them.
 *
 * @module
 */
import type { AttemptRecord } from "../../job/attempt_history.ts";
import type { JobRecord } from "../../job/job.ts";
import type { JobState } from "../../job/states.ts";
import type { UniqueScope } from "../../job/unique.ts";
import type { LaneConfig } from "../../schedule/lane_config.ts";
import type { LanePickerState } from "../../schedule/lane_picker.ts";
import type { KeyedHeap } from "./keyed_heap.ts";
import type { KeptBytes } from "./kept_bytes.ts";
import type { LaneEntry, LaneList } from "./lane_list.ts";

/** A job as the memory store keeps it: its record, lease, prefetch, pin, lock and lane state. */
export interface MemJob
  extends Omit<JobRecord, "leaseDeadline" | "history" | "dependents" | "result">, LaneEntry {
  /** The encoded result of a completed job, or null (see kept_bytes.ts). */
  result: KeptBytes | null;
  /** The current lease token, or null. */
  token: string | null;
  /** Leased unstarted (listed in the prefetch index under its worker) while true. */
  prefetched: boolean;
  /** Attempts that ended without completing (the completed one is told by the fields). */
  history: AttemptRecord[];
  /** The scope of its unique key, when it has one. */
  uniqueScope: UniqueScope | null;
  /** Dependents not finished yet: while any, a completed job is kept out of retention. */
  pins: number;
  /** Completed, but kept out of its retention index until its dependents finish. */
  pinned: boolean;
  /** Its limit key when its function has limits (see `MemLimits`), or null. */
  limitKey: string | null;
  /** Its lease counts against its limit key's concurrency. */
  countsAgainst: boolean;
}

/** A final state. */
export type FinalState = "completed" | "dead" | "cancelled";

/** One queue. */
export interface MemQueue {
  /** Waiting jobs per lane index. */
  lanes: LaneList<MemJob>[];
  /** Delayed jobs by runAt. */
  delayed: KeyedHeap;
  /** Finished jobs by finishedAt, per final state. */
  finished: Record<FinalState, KeyedHeap>;
  /** Blocked jobs by enqueuedAt. */
  blocked: KeyedHeap;
  /** Jobs per state and lane index (all states but waiting). */
  counts: Record<JobState, number[]>;
  /** Waiting jobs parked on a limit (out of the lanes) per lane index. */
  throttled: number[];
  /** Those jobs by when they were parked (for listings). */
  parked: KeyedHeap;
  /** Dispatch paused. */
  paused: boolean;
  /** Lane configuration. */
  config: LaneConfig;
  /** Lane picker state. */
  picker: LanePickerState;
}
