/**
 * `HttpTarget`: a running Sluice reached through its gateway's REST API, with the bearer token
 * of `SLUICE_ADMIN_TOKEN` (or `SLUICE_READ_TOKEN`). The gateway's error answers become
 * `SluiceError`s with its code and message; an unreachable gateway says how to point at one.
 *
 * @module
 */
import type { EmitOptions, JobLogEntry } from "../engine/options.ts";
import { BulkItemError, SluiceError } from "../job/errors.ts";
import type { JobInfo } from "../job/job_info.ts";
import type { PageRequest } from "../graph/page.ts";
import type { JobGraph } from "../graph/walk.ts";
import type { Lane } from "../job/lanes.ts";
import type { JobState } from "../job/states.ts";
import type { QueueCounts } from "../store/store.ts";
import type { ScheduleInfo } from "../engine/schedules.ts";
import type { LaneConfig, LaneConfigInput } from "../schedule/lane_config.ts";
import type {
  BulkJobRequest,
  ClusterView,
  DeadSelection,
  JobDetail,
  JobRequest,
  QueueDetail,
  ScheduleAction,
  ScheduleBody,
  Target,
} from "./target.ts";

/** How long one request may take (ms). */
const REQUEST_TIMEOUT_MS = 60_000;

interface ErrorAnswer {
  error?: {
    code?: string;
    message?: string;
    issues?: { path: (string | number)[]; message: string }[];
  };
}

const enc = encodeURIComponent;

/** Codes of a bulk refused for one item, which `issues[0].path` names as `["jobs", index]`. */
const ITEM_CODES = new Set([
  "BULK_ITEM_INVALID",
  "INVALID_GRAPH",
  "UNKNOWN_PREREQUISITE",
  "DUPLICATE_JOB",
]);

/** The gateway at `url`. */
export class HttpTarget implements Target {
  readonly where: string;
  #base: string;
  #token: string | undefined;

  /** A target at `url` (e.g. `http://127.0.0.1:8000`) sending `token` when given. */
  constructor(url: string, token: string | undefined) {
    this.#base = url.replace(/\/+$/, "");
    this.where = this.#base;
    this.#token = token;
  }

  async enqueue(job: JobRequest): Promise<string> {
    return (await this.#call<{ id: string }>("POST", "/v1/jobs", job)).id;
  }

  async enqueueBulk(jobs: BulkJobRequest[]): Promise<string[]> {
    return (await this.#call<{ ids: string[] }>("POST", "/v1/jobs/bulk", { jobs })).ids;
  }

  async emit(event: string, payload: unknown, options: EmitOptions): Promise<string[]> {
    return (await this.#call<{ ids: string[] }>("POST", `/v1/events/${enc(event)}`, {
      payload,
      options,
    })).ids;
  }

  async getJob(id: string): Promise<JobDetail | null> {
    try {
      return await this.#call<JobDetail>("GET", `/v1/jobs/${enc(id)}`);
    } catch (error) {
      if (error instanceof SluiceError && error.code === "JOB_NOT_FOUND") return null;
      throw error;
    }
  }

  async jobLogs(id: string): Promise<JobLogEntry[]> {
    return (await this.#call<{ logs: JobLogEntry[] }>("GET", `/v1/jobs/${enc(id)}/logs`)).logs;
  }

  graph(id: string, page: PageRequest): Promise<JobGraph> {
    const query = new URLSearchParams();
    if (page.limit !== undefined) query.set("limit", String(page.limit));
    if (page.cursor !== undefined) query.set("cursor", page.cursor);
    return this.#call<JobGraph>("GET", `/v1/jobs/${enc(id)}/graph?${query}`);
  }

  async cancel(id: string): Promise<JobState> {
    return (await this.#call<{ state: JobState }>("POST", `/v1/jobs/${enc(id)}/cancel`)).state;
  }

  async retry(id: string): Promise<JobState> {
    return (await this.#call<{ state: JobState }>("POST", `/v1/jobs/${enc(id)}/retry`)).state;
  }

  async setPriority(id: string, lane: Lane): Promise<void> {
    await this.#call("POST", `/v1/jobs/${enc(id)}/priority`, { priority: lane });
  }

  async queues(): Promise<QueueCounts[]> {
    return (await this.#call<{ queues: QueueCounts[] }>("GET", "/v1/queues")).queues;
  }

  queue(queue: string): Promise<QueueDetail> {
    return this.#call<QueueDetail>("GET", `/v1/queues/${enc(queue)}`);
  }

  configureQueue(queue: string, input: LaneConfigInput, create: boolean): Promise<LaneConfig> {
    const query = create ? "?create=1" : "";
    return this.#call<LaneConfig>("PATCH", `/v1/queues/${enc(queue)}/config${query}`, input);
  }

  async setPaused(queue: string, paused: boolean, create: boolean): Promise<void> {
    const action = paused ? "pause" : "resume";
    await this.#call("POST", `/v1/queues/${enc(queue)}/${action}${create ? "?create=1" : ""}`);
  }

  nodes(): Promise<ClusterView> {
    return this.#call<ClusterView>("GET", "/v1/nodes");
  }

  async listDead(filter: { queue?: string; function?: string; limit: number }): Promise<JobInfo[]> {
    const query = new URLSearchParams({ limit: String(filter.limit) });
    if (filter.queue) query.set("queue", filter.queue);
    if (filter.function) query.set("function", filter.function);
    return (await this.#call<{ jobs: JobInfo[] }>("GET", `/v1/dead-letters?${query}`)).jobs;
  }

  async requeueDead(which: DeadSelection): Promise<number> {
    if ("ids" in which) {
      for (const id of which.ids) await this.#call("POST", `/v1/dead-letters/${enc(id)}/requeue`);
      return which.ids.length;
    }
    return (await this.#call<{ count: number }>("POST", "/v1/dead-letters/requeue", which)).count;
  }

  async purgeDead(which: DeadSelection): Promise<number> {
    if ("ids" in which) {
      let count = 0;
      for (const id of which.ids) {
        count += (await this.#call<{ count: number }>("DELETE", `/v1/dead-letters/${enc(id)}`))
          .count;
      }
      return count;
    }
    return (await this.#call<{ count: number }>("POST", "/v1/dead-letters/purge", which)).count;
  }

  async schedules(): Promise<ScheduleInfo[]> {
    return (await this.#call<{ schedules: ScheduleInfo[] }>("GET", "/v1/schedules")).schedules;
  }

  setSchedule(name: string, schedule: ScheduleBody): Promise<ScheduleInfo> {
    return this.#call<ScheduleInfo>("PUT", `/v1/schedules/${enc(name)}`, schedule);
  }

  async scheduleAction(name: string, action: ScheduleAction): Promise<void> {
    const path = `/v1/schedules/${enc(name)}`;
    await (action === "delete"
      ? this.#call("DELETE", path)
      : this.#call("POST", `${path}/${action}`));
  }

  async triggerSchedule(name: string): Promise<string> {
    return (await this.#call<{ id: string }>("POST", `/v1/schedules/${enc(name)}/trigger`)).id;
  }

  async reschedule(id: string, to: { runAt: number } | { delay: number }): Promise<JobState> {
    const path = `/v1/jobs/${enc(id)}/reschedule`;
    return (await this.#call<{ state: JobState }>("POST", path, to)).state;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(this.#base + path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw this.#unreachable(error);
    }
    const text = await res.text();
    let answer: unknown;
    try {
      answer = text ? JSON.parse(text) : null;
    } catch {
      answer = null;
    }
    if (res.ok) return answer as T;
    throw this.#failure(res.status, answer as ErrorAnswer | null);
  }

  #failure(status: number, answer: ErrorAnswer | null): Error {
    const error = answer?.error;
    const code = error?.code ?? `HTTP_${status}`;
    let message = error?.message ?? `the gateway answered HTTP ${status}`;
    const issues = error?.issues ?? [];
    if (ITEM_CODES.has(code) && issues[0]?.path[0] === "jobs") {
      const index = issues[0].path[1];
      if (typeof index === "number") {
        return new BulkItemError(index, new SluiceError(code, issues[0].message));
      }
    }
    if (code === "VALIDATION_FAILED" && issues.length > 0) {
      message = `invalid request: ${
        issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")
      }`;
    }
    if (status === 401) message += " (set SLUICE_ADMIN_TOKEN to the gateway's admin token)";
    if (status === 403 && code === "FORBIDDEN") message += " (use the admin token)";
    return new SluiceError(code, message);
  }

  #unreachable(error: unknown): SluiceError {
    const cause = (error as Error)?.cause;
    const text = `${(error as Error)?.message ?? error} ${cause ? String(cause) : ""}`.trim();
    const why = /refused/i.test(text)
      ? "connection refused"
      : /timed? ?out|TimeoutError/i.test(text)
      ? "no answer in time"
      : /dns|lookup|resolve|not known/i.test(text)
      ? "host not found"
      : text.split("\n")[0]!;
    return new SluiceError(
      "GATEWAY_UNREACHABLE",
      `cannot reach Sluice at ${this.where}: ${why}. Start it (sluice start, or sluice gateway), ` +
        "or point the command at it: --url (SLUICE_URL) for its gateway, --store (REDIS_URL) " +
        "for its Redis",
    );
  }
}
