/**
 * The Sluice command line: `deno task start`, and the entry of the compiled binary.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { manifest } from "./manifest.ts";
import { start } from "./start.ts";
import { worker } from "./worker.ts";
import type { WorkOptions } from "../worker/node_options.ts";

const HELP = `Usage: sluice <command> [options]

Commands:
  start     engine + worker + demo producer in one process (memory store unless REDIS_URL)
  manifest  write functions/_manifest.gen.ts (static imports, for deno compile / bundle)
  worker    a worker node: runs jobs of the functions folder from Redis (REDIS_URL)

Options of start:
  --store URL         store URL (default: $REDIS_URL, else memory://)
  --namespace NAME    Redis key namespace (default: $SLUICE_NAMESPACE, else "default")
  --concurrency N     worker slots (default: $SLUICE_CONCURRENCY, else 4)
  --demo-rate N       demo user.created events emitted per second, 0 for none (default 2)

Options of worker (environment in brackets):
  --store URL, --namespace NAME   as for start [REDIS_URL, SLUICE_NAMESPACE]
  --queues A,B        queues to serve (default: those of the functions) [SLUICE_QUEUES]
  --concurrency N     job slots (default 10, or isolates x 4) [SLUICE_CONCURRENCY]
  --isolates N        run handlers in N Deno isolates; 0 runs them inline [SLUICE_ISOLATES]
  --lease-ms N, --heartbeat-ms N, --node-ttl-ms N, --drain-ms N, --prefetch N, --reserved-slots N,
  --leader-ttl-ms N, --leader-renew-ms N   timings (see WorkOptions)

Options of start, worker and manifest:
  --functions DIR     the functions folder (default: $SLUICE_FUNCTIONS, else ./functions)
  -h, --help          this help
`;

function positive(value: string, name: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new TypeError(
      `--${name} must be a ${allowZero ? "non-negative" : "positive"} number, got ${value}`,
    );
  }
  return n;
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}

/** Runs the command line `args`. */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      store: { type: "string" },
      namespace: { type: "string" },
      concurrency: { type: "string" },
      "demo-rate": { type: "string" },
      functions: { type: "string" },
      queues: { type: "string" },
      isolates: { type: "string" },
      "lease-ms": { type: "string" },
      "heartbeat-ms": { type: "string" },
      "node-ttl-ms": { type: "string" },
      "drain-ms": { type: "string" },
      prefetch: { type: "string" },
      "reserved-slots": { type: "string" },
      "leader-ttl-ms": { type: "string" },
      "leader-renew-ms": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command] = positionals;
  if (values.help || command === undefined || command === "help") {
    console.log(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  const functions = values.functions ?? Deno.env.get("SLUICE_FUNCTIONS") ?? "./functions";
  if (command === "manifest") {
    await manifest(functions);
    return 0;
  }
  if (command === "worker") {
    const env = (name: string): string | undefined => Deno.env.get(name);
    const int = (flag: string, value: string | undefined): number | undefined =>
      value === undefined ? undefined : Math.floor(positive(value, flag, true));
    const isolates = int("isolates", values.isolates ?? env("SLUICE_ISOLATES"));
    const queues = values.queues ?? env("SLUICE_QUEUES");
    const leaderTtl = int("leader-ttl-ms", values["leader-ttl-ms"]);
    const leaderRenew = int("leader-renew-ms", values["leader-renew-ms"]);
    const work: WorkOptions = {
      ...(queues ? { queues: queues.split(",").map((q) => q.trim()).filter(Boolean) } : {}),
      ...optional(
        "concurrency",
        int("concurrency", values.concurrency ?? env("SLUICE_CONCURRENCY")),
      ),
      ...(isolates ? { isolates: { size: isolates } } : {}),
      ...optional("leaseMs", int("lease-ms", values["lease-ms"])),
      ...optional("heartbeatMs", int("heartbeat-ms", values["heartbeat-ms"])),
      ...optional("nodeTtlMs", int("node-ttl-ms", values["node-ttl-ms"])),
      ...optional("drainMs", int("drain-ms", values["drain-ms"])),
      ...optional("prefetch", int("prefetch", values.prefetch)),
      ...optional("reservedSlots", int("reserved-slots", values["reserved-slots"])),
      ...(leaderTtl || leaderRenew
        ? { leader: { ...optional("ttlMs", leaderTtl), ...optional("renewMs", leaderRenew) } }
        : {}),
    };
    await worker({
      store: values.store ?? env("REDIS_URL") ?? "memory://",
      namespace: values.namespace ?? env("SLUICE_NAMESPACE") ?? "default",
      functions,
      work,
    });
    return 0;
  }
  if (command !== "start") {
    console.error(`sluice: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    return 2;
  }
  await start({
    store: values.store ?? Deno.env.get("REDIS_URL") ?? "memory://",
    namespace: values.namespace ?? Deno.env.get("SLUICE_NAMESPACE") ?? "default",
    concurrency: Math.floor(
      positive(values.concurrency ?? Deno.env.get("SLUICE_CONCURRENCY") ?? "4", "concurrency"),
    ),
    demoRate: positive(values["demo-rate"] ?? "2", "demo-rate", true),
    functions,
  });
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`sluice: ${(error as Error).message}`);
    Deno.exit(2);
  }
}
