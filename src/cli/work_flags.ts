/**
 * The flags of a worker node (`sluice worker`, and `sluice start`'s worker), read into
 * `WorkOptions`, with `SLUICE_QUEUES`, `SLUICE_CONCURRENCY` and `SLUICE_ISOLATES` as fallbacks.
 *
 * @module
 */
import type { ParseArgsOptionsConfig } from "node:util";
import type { WorkOptions } from "../worker/node_options.ts";
import { env, flag, type Flags, numberOf } from "./config.ts";

const TIMINGS = {
  "lease-ms": "leaseMs",
  "heartbeat-ms": "heartbeatMs",
  "node-ttl-ms": "nodeTtlMs",
  "drain-ms": "drainMs",
  prefetch: "prefetch",
  "reserved-slots": "reservedSlots",
} as const;

/** The worker flags. */
export const WORK_FLAGS: ParseArgsOptionsConfig = {
  queues: { type: "string" },
  concurrency: { type: "string" },
  isolates: { type: "string" },
  "leader-ttl-ms": { type: "string" },
  "leader-renew-ms": { type: "string" },
  ...Object.fromEntries(Object.keys(TIMINGS).map((k) => [k, { type: "string" as const }])),
};

/** Help lines of the worker flags. */
export const WORK_HELP =
  `  --queues A,B        queues to serve (default: those of the functions) [SLUICE_QUEUES]
  --concurrency N     job slots [SLUICE_CONCURRENCY]
  --isolates N        run handlers in N Deno isolates; 0 runs them inline [SLUICE_ISOLATES]
  --lease-ms N, --heartbeat-ms N, --node-ttl-ms N, --drain-ms N, --prefetch N, --reserved-slots N,
  --leader-ttl-ms N, --leader-renew-ms N   timings (see WorkOptions)`;

/** `WorkOptions` from the flags and environment; `concurrency` falls back to `defaultSlots`. */
export function workOptions(values: Flags, defaultSlots?: number): WorkOptions {
  const int = (name: string, value: string | undefined): number | undefined => {
    const n = numberOf(value, name, true);
    return n === undefined ? undefined : Math.floor(n);
  };
  const options: WorkOptions = {};
  const queues = flag(values, "queues") ?? env("SLUICE_QUEUES");
  if (queues) options.queues = queues.split(",").map((q) => q.trim()).filter(Boolean);
  const concurrency =
    int("concurrency", flag(values, "concurrency") ?? env("SLUICE_CONCURRENCY")) ??
      defaultSlots;
  if (concurrency) options.concurrency = concurrency;
  const isolates = int("isolates", flag(values, "isolates") ?? env("SLUICE_ISOLATES"));
  if (isolates) options.isolates = { size: isolates };
  for (const [name, key] of Object.entries(TIMINGS)) {
    const n = int(name, flag(values, name));
    if (n !== undefined) options[key] = n;
  }
  const ttlMs = int("leader-ttl-ms", flag(values, "leader-ttl-ms"));
  const renewMs = int("leader-renew-ms", flag(values, "leader-renew-ms"));
  if (ttlMs !== undefined || renewMs !== undefined) {
    options.leader = {
      ...(ttlMs !== undefined ? { ttlMs } : {}),
      ...(renewMs !== undefined ? { renewMs } : {}),
    };
  }
  return options;
}
