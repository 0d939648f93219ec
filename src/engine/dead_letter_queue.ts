/**
 * The dead-letter queue as the engine offers it (`engine.deadLetters`): list and inspect dead
 * jobs, requeue one or many (attempts reset, back through the normal lane), purge.
 *
 * @module
 */
import { InvalidStateError, JobNotFoundError } from "../job/errors.ts";
import type { JobRecord } from "../job/job.ts";
import type { JobInfo } from "../job/job_info.ts";
import { assertQueueName } from "../job/queue_name.ts";
import type { DeadLetterBatch, DeadLetterQuery, Store } from "../store/store.ts";

/** Which dead jobs of a queue an operation concerns; every given criterion must hold. */
export interface DeadLetterFilter {
  /** The queue. */
  queue: string;
  /** Only jobs of this function. */
  name?: string;
  /** Only jobs whose last error, as `"<name>: <message>"`, contains this text (case-sensitive). */
  errorContains?: string;
  /** Only jobs dead-lettered at or after this time. */
  failedAfter?: Date | number;
  /** Only jobs dead-lettered before this time. */
  failedBefore?: Date | number;
}

/** A page request of `deadLetters.list`. */
export interface DeadLetterListQuery extends DeadLetterFilter {
  /** Jobs per page (1 to 1,000, default 50). A page may hold fewer while `nextCursor` is set. */
  limit?: number;
  /** Cursor from the previous page. */
  cursor?: string | null;
}

/** A page of dead jobs, oldest first. */
export interface DeadLetterPage {
  /** The jobs, decoded. */
  jobs: JobInfo[];
  /** Cursor of the next page, or null. */
  nextCursor: string | null;
}

/** Dead-letter operations of one engine. */
export class DeadLetterQueue {
  #store: Store;
  #view: (record: JobRecord) => JobInfo;

  /** Works on `store`; `view` decodes records. */
  constructor(store: Store, view: (record: JobRecord) => JobInfo) {
    this.#store = store;
    this.#view = view;
  }

  /** One page of the dead jobs matching `query`, oldest first. */
  async list(query: DeadLetterListQuery): Promise<DeadLetterPage> {
    const page = await this.#store.listDead(storeQuery(query, "deadLetters.list"));
    return { jobs: page.jobs.map(this.#view), nextCursor: page.nextCursor };
  }

  /** The dead job `id` with its last error and history, or null when no dead job has that id. */
  async get(id: string): Promise<JobInfo | null> {
    const record = await this.#store.getJob(id);
    return record?.state === "dead" ? this.#view(record) : null;
  }

  /**
   * Runs dead job `id` again: attempts reset, at the end of its lane. Throws `JobNotFoundError`,
   * or `InvalidStateError` when the job is not dead.
   */
  async requeue(id: string): Promise<void> {
    await this.#one(id, "requeue", (q) => this.#store.requeueDead(q));
  }

  /** Requeues every dead job matching `filter`; returns how many. */
  requeueMany(filter: DeadLetterFilter): Promise<number> {
    const query = storeQuery(filter, "deadLetters.requeueMany");
    return drain((cursor) => this.#store.requeueDead({ ...query, cursor }));
  }

  /**
   * Deletes dead jobs: the one with id `target` (throwing like `requeue`), or every one matching
   * the filter `target` (`{ queue }` alone: all of the queue). Returns how many.
   */
  async purge(target: string | DeadLetterFilter): Promise<number> {
    if (typeof target === "string") {
      await this.#one(target, "purge", (q) => this.#store.purgeDead(q));
      return 1;
    }
    const query = storeQuery(target, "deadLetters.purge");
    return await drain((cursor) => this.#store.purgeDead({ ...query, cursor }));
  }

  async #one(
    id: string,
    action: string,
    verb: (query: DeadLetterQuery) => Promise<DeadLetterBatch>,
  ): Promise<void> {
    const record = await this.#store.getJob(id);
    if (!record) throw new JobNotFoundError(id);
    const done = record.state === "dead" &&
      (await verb({ queue: record.queue, ids: [id] })).ids.length === 1;
    if (!done) {
      const now = await this.#store.getJob(id);
      if (!now) throw new JobNotFoundError(id);
      throw new InvalidStateError(id, action, now.state);
    }
  }
}

function storeQuery(filter: DeadLetterListQuery, where: string): DeadLetterQuery {
  if (typeof filter !== "object" || filter === null) {
    throw new TypeError(`${where}: expected a filter with a queue`);
  }
  assertQueueName(filter.queue, where);
  const ms = (t: Date | number | undefined): number | undefined =>
    t instanceof Date ? t.getTime() : t;
  const { failedAfter, failedBefore, ...rest } = filter;
  return { ...rest, failedAfter: ms(failedAfter), failedBefore: ms(failedBefore) };
}

async function drain(next: (cursor: string | null) => Promise<DeadLetterBatch>): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const batch: DeadLetterBatch = await next(cursor);
    count += batch.ids.length;
    cursor = batch.nextCursor;
  } while (cursor !== null);
  return count;
}
