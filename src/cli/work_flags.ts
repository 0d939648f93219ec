/**
 * The options of a worker node (`sluice worker`, and `sluice start`'s worker), each with its
 * default as help shows it, read into `WorkOptions`.
 *
 * @module
 */
import type { WorkOptions } from "../worker/node_options.ts";
import type { Args, Flag } from "./flags.ts";

const TIMINGS = {
  "lease-ms": "leaseMs",
  "heartbeat-ms": "heartbeatMs",
  "node-ttl-ms": "nodeTtlMs",
  "drain-ms": "drainMs",
} as const;

/** The worker options; `slots` is the default concurrency, as help shows it. */
export function workFlags(slots: string): readonly Flag[] {
  return [
    {
      name: "queues",
      value: "A,B",
      help: "queues to serve, in order of preference",
      env: "SLUICE_QUEUES",
      default: "the queues of the functions",
    },
    {
      name: "concurrency",
      value: "N",
      help: "jobs run at once",
      env: "SLUICE_CONCURRENCY",
      default: slots,
    },
    {
      name: "isolates",
      value: "N",
      help: "run handlers in N Deno isolates; 0 runs them in the main thread",
      env: "SLUICE_ISOLATES",
      default: "0",
    },
    { name: "lease-ms", value: "MS", help: "lease length, renewed every third", default: "30000" },
    { name: "heartbeat-ms", value: "MS", help: "heartbeat interval", default: "3000" },
    {
      name: "node-ttl-ms",
      value: "MS",
      help: "a node silent this long is dead; its jobs run again",
      default: "10000",
    },
    {
      name: "drain-ms",
      value: "MS",
      help: "on SIGTERM, how long running jobs may finish before they are handed back",
      default: "30000",
    },
    {
      name: "prefetch",
      value: "N",
      help: "jobs leased ahead, which idle nodes may steal",
      default: "0",
    },
    {
      name: "reserved-slots",
      value: "N",
      help: "slots kept for critical and high jobs",
      default: "a quarter of the concurrency when 4 or more",
    },
    { name: "leader-ttl-ms", value: "MS", help: "leader lease length", default: "15000" },
    {
      name: "leader-renew-ms",
      value: "MS",
      help: "leader lease renewal interval",
      default: "5000",
    },
  ];
}

/** `WorkOptions` from `args`; the concurrency falls back to `slots`, else the node's default. */
export function workOptions(args: Args, slots?: number): WorkOptions {
  const options: WorkOptions = {};
  const concurrency = args.count("concurrency", 1) ?? slots;
  if (concurrency !== undefined) options.concurrency = concurrency;
  const queues = args.string("queues");
  if (queues) options.queues = queues.split(",").map((q) => q.trim()).filter(Boolean);
  const isolates = args.count("isolates", 0);
  if (isolates) options.isolates = { size: isolates };
  for (const [name, key] of Object.entries(TIMINGS)) {
    const n = args.ms(name);
    if (n !== undefined) options[key] = n;
  }
  const prefetch = args.count("prefetch", 0);
  if (prefetch !== undefined) options.prefetch = prefetch;
  const reserved = args.count("reserved-slots", 0);
  if (reserved !== undefined) options.reservedSlots = reserved;
  const ttlMs = args.ms("leader-ttl-ms");
  const renewMs = args.ms("leader-renew-ms");
  if (ttlMs !== undefined || renewMs !== undefined) {
    options.leader = {
      ...(ttlMs !== undefined ? { ttlMs } : {}),
      ...(renewMs !== undefined ? { renewMs } : {}),
    };
  }
  return options;
}

/** The drain time `options` give a node (ms). */
export function drainOf(options: WorkOptions): number {
  return options.drainMs ?? 30_000;
}
