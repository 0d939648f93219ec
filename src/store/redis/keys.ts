/**
 * Redis key layout of one Sluice namespace. Every key starts with `{sluice:NS}:`, one hash tag,
 * so every script touching a namespace is legal on Redis Cluster. The Lua scripts build the same
 * keys from the prefix they receive as `KEYS[1]` (see `lua/_core.lua`); this file and that one
 * must agree.
 *
 * | key | type | content |
 * | --- | --- | --- |
 * | `{p}j:<id>` | hash | one job (fields: see `job_fields.ts`) |
 * | `{p}queues` | zset | queue names, score = creation order |
 * | `{p}q:<queue>:l<0..4>` | list | waiting job ids of a lane, front first |
 * | `{p}q:<queue>:delayed` | zset | delayed jobs, score = runAt |
 * | `{p}q:<queue>:completed` / `cancelled` / `dead` | zset | finished jobs, score = finishedAt |
 * | `{p}q:<queue>:meta` | hash | paused, picker state (vt, p0..p4, la), config (w0..w4, strict, aging, rmax, rdur) |
 * | `{p}q:<queue>:counts` | hash | `<state letter><lane index>` counters (all states but waiting) |
 * | `{p}ready` | set | queues that may hold waiting jobs (every one that does is in it) |
 * | `{p}due` | zset | queues with delayed jobs, score <= their earliest runAt (exact once looked at) |
 * | `{p}leases` | zset | every leased (active) job, score = lease deadline; plus the index pin (score +inf, see `pin_index` in `lua/_jobs.lua`) |
 * | `{p}hs:<node>` | set | the jobs leased to a node (started and prefetched), plus the index pin (older builds kept a zset `{p}held:<node>`, still reaped) |
 * | `{p}call:<node>` | string | token base of the node's latest reserve or steal, for replays |
 * | `{p}wake:<queue>` | channel | published when work may be available |
 * | `{p}hot:<node>` | string | an idle node's registration for handoffs: its reserve's arguments, LF-separated, free slots as the count, prefetch room as the prefetch, a format mark and the time as field 19 (expires) |
 * | `{p}idle:<queue>` | set | nodes registered for handoffs of the queue (stale ones removed as enqueues find them) |
 * | `{p}ho:<node>` | channel | leases an enqueue made for the node: `token base LF lease ms LF lease reply` |
 * | `{p}cancel:<node>` | channel | ids of the node's jobs whose cancellation was requested |
 * | `{p}events` | stream | job events, one entry per store call (`t` now, `e` its event lines) |
 * | `{p}events:sizes` / `{p}events:n` | list / string | `entry id TAB event count` per entry, oldest first / their sum (to keep about `events` events) |
 * | `{p}m:<minute>` / `{p}m:total` | hash | metrics, a field per `queue TAB lane TAB function TAB slot` (a day / always) |
 * | `{p}log:<id>` | list | a job's newest log lines (JSON text) |
 * | `{p}u:<key>` | string | the job holding a unique key (`<until>\n<id>` for a window) |
 * | `{p}dep:<id>` / `{p}depd:<id>` | zset / set | a job's dependents in enqueue order / those satisfied |
 * | `{p}q:<queue>:blocked` | zset | blocked jobs, score = enqueuedAt |
 * | `{p}pf:<queue>:<node>` | zset | jobs of a queue leased unstarted (prefetched) by a node, score = prefetch order |
 * | `{p}pfseq` | string | prefetch order counter |
 * | `{p}prefetched` | zset | node -> minus its prefetched count (absent at 0): busiest first |
 * | `{p}nodes` | zset | node ids, score = expiresAt |
 * | `{p}node:<id>` | hash | a node record (queues as JSON text) |
 * | `{p}leader` | hash | the leader lease: node, token, epoch, expiresAt |
 * | `{p}leader:epoch` | string | fencing epoch counter (only grows) |
 * | `{p}limits` | hash | function name -> `rateMax,rateDurationMs,concurrencyMax,perKey` (0 = none) |
 * | `{p}rw:<limit key>` | list | start times of the key's newest starts (its rate window), newest first |
 * | `{p}ca:<limit key>` | string | the key's leases that count against its concurrency |
 * | `{p}pk:<limit key>` | list | waiting jobs parked on the key until it opens, in line order |
 * | `{p}parked` | zset | limit key -> when it may start parked jobs again (+inf: when a lease ends) |
 * | `{p}q:<queue>:parked` | zset | the queue's jobs parked on a limit, score = when parked (listings) |
 * | `{p}pauses` | hash | limit key -> until when a handler paused it (`ctx.rateLimit`) |
 * | `{p}cron:<name>` | hash | one cron schedule (fields: see `schedule_record.ts`) |
 * | `{p}crons` | zset | every schedule name, all scores 0 (names in byte order) |
 * | `{p}cron-due` | zset | unpaused schedules, score = next fire time (0: not known yet) |
 * | `{p}cron-wake` | channel | published when a schedule is set, deleted, paused or resumed |
 *
 * @module
 */

/** The namespace used when none is given. */
export const DEFAULT_NAMESPACE = "default";

/** Throws a `TypeError` unless `namespace` can be part of a hash tag. */
export function assertNamespace(namespace: unknown): asserts namespace is string {
  if (typeof namespace !== "string" || !/^[^{}\s]{1,128}$/.test(namespace)) {
    throw new TypeError(
      `RedisStore: invalid namespace ${JSON.stringify(namespace)}: ` +
        "use 1-128 characters without braces or spaces",
    );
  }
}

/** The prefix of every key of `namespace`: `{sluice:NS}:`. */
export function namespacePrefix(namespace: string): string {
  assertNamespace(namespace);
  return `{sluice:${namespace}}:`;
}

/** A SCAN pattern matching every key of `namespace` (glob characters escaped). */
export function namespacePattern(namespace: string): string {
  return namespacePrefix(namespace).replace(/[*?[\]\\]/g, "\\$&") + "*";
}

/** Key builder of one namespace. */
export class Keys {
  /** The namespace prefix, `{sluice:NS}:`; passed to every script as `KEYS[1]`. */
  readonly prefix: string;

  /** Builds keys for `namespace`. */
  constructor(namespace: string) {
    this.prefix = namespacePrefix(namespace);
  }

  /** The hash of job `id`. */
  job(id: string): string {
    return `${this.prefix}j:${id}`;
  }

  /** The zset of queue names. */
  queues(): string {
    return `${this.prefix}queues`;
  }

  /** The hash of function limits (see `encodeFunctionLimits`). */
  limits(): string {
    return `${this.prefix}limits`;
  }

  /** The meta hash of `queue` (paused flag, seq counter, picker state, lane configuration). */
  meta(queue: string): string {
    return `${this.prefix}q:${queue}:meta`;
  }

  /** The hash of the leader lease (node, token, epoch, expiresAt). */
  leader(): string {
    return `${this.prefix}leader`;
  }

  /** The stream of job events. */
  events(): string {
    return `${this.prefix}events`;
  }

  /** The channel where cancellations of the jobs leased to `node` are published. */
  cancel(node: string): string {
    return `${this.prefix}cancel:${node}`;
  }

  /** The wake channel of `queue`. */
  wake(queue: string): string {
    return `${this.prefix}wake:${queue}`;
  }

  /** The channel of leases an enqueue made for idle node `worker` (`lua/_handoff.lua`). */
  handoffs(worker: string): string {
    return `${this.prefix}ho:${worker}`;
  }

  /** Idle node `worker`'s registration for handoffs: its standing reserve request. */
  handoffRegistration(worker: string): string {
    return `${this.prefix}hot:${worker}`;
  }

  /** The channel published when a schedule is set, deleted, paused or resumed. */
  cronWake(): string {
    return `${this.prefix}cron-wake`;
  }
}
