/**
 * What commands talk to: output lines, a progress line, and how a client command opens its
 * target (tests inject one on a shared in-process store).
 *
 * @module
 */
import { createLogger } from "../job/logger.ts";
import type { Args } from "./flags.ts";
import { DEFAULT_URL } from "./config.ts";
import { openStoreTarget } from "./engine_target.ts";
import { HttpTarget } from "./http_target.ts";
import { chooseTarget, type Target } from "./target.ts";
import { DEFAULT_CONNECT_TIMEOUT_MS } from "../store/redis/connection.ts";

/** What a client command asks for. */
export interface TargetRequest {
  /** The command's name (for messages). */
  command: string;
  /** Its options. */
  args: Args;
  /** With a store target, load the functions to check payloads (enqueue, events emit). */
  checksPayloads: boolean;
}

/** The outside world of a command. */
export interface CliIO {
  /** Prints a line of output (stdout). */
  out(line: string): void;
  /** Prints a line of diagnostics (stderr). */
  err(line: string): void;
  /** Shows a progress line (stderr), replacing the previous one; `done` ends it. */
  progress(text: string, done: boolean): void;
  /** Opens what a client command acts on (default: `openTarget`). */
  openTarget(request: TargetRequest): Promise<Target>;
}

const encoder = new TextEncoder();

/**
 * The target of a client command: the gateway (`--url`, `SLUICE_URL`, else the local default)
 * or the Redis (`--store`, `REDIS_URL`) of a running Sluice; a memory store is refused.
 */
export async function openTarget(request: TargetRequest): Promise<Target> {
  const { args } = request;
  const env = (name: string) => Deno.env.get(name) || undefined;
  const choice = chooseTarget(
    { url: args.given("url"), store: args.given("store") },
    { url: env("SLUICE_URL"), store: env("REDIS_URL") },
    DEFAULT_URL,
    request.command,
  );
  if (choice.kind === "http") {
    return new HttpTarget(choice.url, env("SLUICE_ADMIN_TOKEN") ?? env("SLUICE_READ_TOKEN"));
  }
  return await openStoreTarget({
    url: choice.url,
    namespace: args.string("namespace") ?? "default",
    connectTimeoutMs: args.ms("connect-timeout") ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...(request.checksPayloads ? { functions: args.string("functions") ?? "./functions" } : {}),
    logger: createLogger({ format: "text", level: "warn", write: (line) => console.error(line) }),
  });
}

/** The console: progress redrawn in place on a terminal, only its last state otherwise. */
export const consoleIO: CliIO = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  progress: (text, done) => {
    if (Deno.stderr.isTerminal()) {
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${text}${done ? "\n" : ""}`));
    } else if (done) {
      console.error(text);
    }
  },
  openTarget,
};
