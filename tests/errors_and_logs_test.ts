/**
 * Logs and errors (issue 13, item 4): errors stored with a job are cut to a bound; a logger writes
 * one format (JSON lines or text) with a level and capped fields; an outage's retries are not
 * logged one by one. (Who sees stack traces: `gateway_safety_test.ts`.)
 */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  createEngine,
  createLogger,
  define,
  type LogFormat,
  type Logger,
  type LogLevel,
  StoreUnavailableError,
} from "../mod.ts";
import { ERROR_MESSAGE_LIMIT, ERROR_STACK_LIMIT } from "../src/job/job.ts";
import { MemoryStore } from "../store.ts";
import { toErrorInfo } from "../src/job/job.ts";
import { LOG_FIELD_LIMIT, quietOutages, silentLogger } from "../src/job/logger.ts";
import { until } from "./_engine_conformance.ts";

const HUGE = "x".repeat(900 * 1024);

Deno.test("errors: message and stack are cut to their bounds, with a note", () => {
  const error = new Error(HUGE);
  error.stack = `Error: ${HUGE}\n    at somewhere`;
  const info = toErrorInfo(error);
  assert.ok(info.message.length < ERROR_MESSAGE_LIMIT + 100, String(info.message.length));
  assert.match(info.message, /… \[\d+ more characters cut\]$/);
  assert.ok(info.stack!.length < ERROR_STACK_LIMIT + 100);
  assert.equal(toErrorInfo(new Error("short")).message, "short");
  assert.ok(toErrorInfo(HUGE).message.length < ERROR_MESSAGE_LIMIT + 100);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(toErrorInfo(cyclic).message, "[object Object]");
});

Deno.test("errors: a job that throws a 900 KB error stores a bounded one", async () => {
  const Huge = define(
    { name: "huge", payload: z.object({}), queue: "huge", attempts: 1 },
    () => {
      throw new Error(HUGE);
    },
  );
  const store = new MemoryStore();
  const engine = createEngine({ store, logger: silentLogger, functions: [Huge] });
  const worker = engine.work({ concurrency: 1 });
  try {
    const id = await engine.enqueue(Huge, {});
    const job = await until(() => engine.getJob(id), (j) => j?.state === "dead");
    assert.ok(job!.error!.message.length < ERROR_MESSAGE_LIMIT + 100);
    assert.ok(job!.history[0]!.error!.message.length < ERROR_MESSAGE_LIMIT + 100);
    assert.ok(job!.error!.stack!.length < ERROR_STACK_LIMIT + 100);
  } finally {
    await worker.stop();
    await engine.close();
  }
});

/** A logger at time 0 and the lines it wrote. */
function capture(format: LogFormat, level: LogLevel): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    logger: createLogger({ format, level, write: (l) => lines.push(l), now: () => 0 }),
    lines,
  };
}

Deno.test("logger: JSON lines or text, a level, string fields capped", () => {
  const { logger: json, lines } = capture("json", "info");
  json.debug("hidden");
  json.info("node-started", { node: "n1", event: "clash" });
  json.error("boom", { error: HUGE });
  assert.equal(lines.length, 2);
  assert.deepEqual(JSON.parse(lines[0]!), {
    at: "1970-01-01T00:00:00.000Z",
    level: "info",
    event: "node-started",
    node: "n1",
    _event: "clash",
  });
  const big = JSON.parse(lines[1]!);
  assert.equal(big.level, "error");
  assert.ok(big.error.length < LOG_FIELD_LIMIT + 100);

  const { logger: plain, lines: text } = capture("text", "warn");
  plain.info("hidden");
  plain.warn("Redis connection lost", { redis: "redis://h:1", n: 2, why: "a b" });
  assert.deepEqual(text, [
    '1970-01-01T00:00:00.000Z WARN  Redis connection lost redis=redis://h:1 n=2 why="a b"',
  ]);
});

Deno.test("logger: failures an outage causes are demoted to debug, others are not", () => {
  const seen: string[] = [];
  const record = (level: string) => (message: string) => seen.push(`${level} ${message}`);
  const quiet = quietOutages({
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
  });
  const outage = new StoreUnavailableError("Redis at redis://h:1 is unavailable");
  quiet.error("fetching jobs failed; retrying", { error: String(outage) });
  quiet.warn("heartbeat failed", { error: outage });
  quiet.error("a listener threw", { error: "TypeError: x" });
  assert.deepEqual(seen, [
    "debug fetching jobs failed; retrying",
    "debug heartbeat failed",
    "error a listener threw",
  ]);
});
