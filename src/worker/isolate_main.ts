/**
 * The code inside each isolate (a Deno `Worker` started by `IsolatePool`). It loads the function
 * modules named by the `init` message, then runs attempts through the steps inline attempts take
 * (`attempt_steps.ts`: decode, migrate and validate the payload, call the handler with a `ctx`
 * whose signal, log, progress and enqueue cross the boundary, validate and encode the result),
 * and posts the outcome back. Decoding, validation and the handler all run here, off the main
 * thread. Timeouts are the pool's business: it aborts the signal, and terminates the isolate.
 *
 * Protocol: see `_isolate_protocol.ts`.
 *
 * @module
 */
import { PayloadEncoder } from "../codec/payload_encoder.ts";
import { UnrecoverableError } from "../job/errors.ts";
import type { Logger } from "../job/logger.ts";
import type { JobContext, JobDefinition } from "../registry/definition.ts";
import { FunctionSet } from "../registry/function_set.ts";
import { definitionOf } from "../registry/job_decorator.ts";
import type { Enqueue } from "../registry/job_ref.ts";
import { isFunctionManifest } from "../registry/manifest.ts";
import { attemptSteps } from "./attempt_steps.ts";
import { buildJobContext } from "./job_context.ts";
import {
  errorInfo,
  type FromIsolate,
  type IsolateJob,
  type LogLevel,
  ownedBuffer,
  reviveError,
  type ToIsolate,
} from "./_isolate_protocol.ts";

/** The worker global scope, typed here: the project type-checks with the window lib. */
const scope = globalThis as unknown as {
  postMessage(message: unknown, options: StructuredSerializeOptions): void;
  addEventListener(type: "message", listener: (event: MessageEvent<ToIsolate>) => void): void;
  addEventListener(type: "error", listener: (event: ErrorEvent) => void): void;
  addEventListener(
    type: "unhandledrejection",
    listener: (event: PromiseRejectionEvent) => void,
  ): void;
  close(): void;
};

const definitions = new Map<string, JobDefinition>();
const running = new Map<number, AbortController>();
const enqueueCalls = new Map<number, { resolve(id: string): void; reject(e: Error): void }>();
let encoder: PayloadEncoder | null = null;
let nextCall = 1;

function post(message: FromIsolate, transfer: Transferable[] = []): void {
  scope.postMessage(message, { transfer });
}

/** Posts a log line; fields that cannot cross the boundary are sent as JSON text instead. */
function postLog(level: LogLevel, message: string, fields?: Record<string, unknown>, run?: number) {
  const base = { type: "log" as const, level, message: String(message), run };
  try {
    post(fields === undefined ? base : { ...base, fields });
  } catch {
    let text: string;
    try {
      text = JSON.stringify(fields);
    } catch {
      text = String(fields);
    }
    post({ ...base, fields: { fields: text } });
  }
}

function logger(run?: number): Logger {
  return {
    debug: (message, fields) => postLog("debug", message, fields, run),
    info: (message, fields) => postLog("info", message, fields, run),
    warn: (message, fields) => postLog("warn", message, fields, run),
    error: (message, fields) => postLog("error", message, fields, run),
  };
}

/**
 * Reports what takes the isolate down, so the pool can fail its jobs at once: `self.close()` and
 * `Deno.exit()` otherwise end a worker silently, and an uncaught error is reported with its stack
 * (and without Deno printing it to the node's stderr).
 */
function reportCrashes(): void {
  const close = scope.close.bind(scope);
  const crashed = (reason: string, error?: unknown): void => {
    post({ type: "crashed", reason, ...(error === undefined ? {} : { error: errorInfo(error) }) });
  };
  Object.defineProperty(scope, "close", {
    configurable: true,
    value: (): void => {
      crashed("the isolate closed itself (self.close())");
      close();
    },
  });
  const exit = Deno.exit;
  Object.defineProperty(Deno, "exit", {
    configurable: true,
    value: (code?: number): never => {
      crashed(`the isolate closed itself (Deno.exit(${code ?? ""}))`);
      return exit(code);
    },
  });
  scope.addEventListener("error", (event) => {
    event.preventDefault();
    const error = event.error ?? event.message;
    crashed(`uncaught error: ${errorInfo(error).name}: ${errorInfo(error).message}`, error);
    close();
  });
  scope.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    const { name, message } = errorInfo(event.reason);
    crashed(`unhandled promise rejection: ${name}: ${message}`, event.reason);
    close();
  });
}

async function init(message: Extract<ToIsolate, { type: "init" }>): Promise<void> {
  try {
    const set = new FunctionSet();
    const log = logger();
    for (const url of message.modules) {
      const exports = await import(url) as Record<string, unknown>;
      if (isFunctionManifest(exports.manifest)) {
        for (const [file, fileExports] of Object.entries(exports.manifest.files)) {
          if (set.add(file, fileExports) === 0) log.warn(`functions: ${file} exports no job`);
        }
      } else if (set.add(url, exports) === 0) {
        log.warn(`functions: ${url} exports no job (a define() result or a @job class)`);
      }
    }
    for (const definition of set.definitions()) definitions.set(definition.name, definition);
    for (const descriptor of message.revoke) await Deno.permissions.revoke(descriptor);
    encoder = new PayloadEncoder(message.encoding);
    post({ type: "ready", functions: [...definitions.keys()] });
  } catch (error) {
    post({ type: "init-failed", error: errorInfo(error) });
  }
}

async function run(message: Extract<ToIsolate, { type: "run" }>): Promise<void> {
  const { run, job } = message;
  const controller = new AbortController();
  running.set(run, controller);
  const fail = (error: unknown, retryable: boolean) =>
    post({ type: "failed", run, error: errorInfo(error), retryable });
  try {
    const step = await attemptSteps({
      name: job.name,
      definition: definitions.get(job.name),
      known: () => [...definitions.keys()],
      encoder,
      payload: new Uint8Array(message.payload),
      handle: (definition, payload) =>
        definition.handler(payload, context(run, job, controller.signal)),
    });
    switch (step.kind) {
      case "completed": {
        const buffer = step.result === null ? null : transferable(step.result);
        return post({ type: "completed", run, result: buffer }, buffer ? [buffer] : []);
      }
      case "failed":
        return fail(step.error, step.retryable);
      case "threw": {
        const unrecoverable = step.error instanceof UnrecoverableError ||
          (step.error as Error | null)?.name === "UnrecoverableError";
        return fail(step.error, !unrecoverable);
      }
      case "handed-back":
        return post({ type: "handed-back", run, ...step.request });
      case "too-new":
        return post({ type: "too-new", run, version: step.version, known: step.known });
    }
  } finally {
    running.delete(run);
  }
}

function transferable(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength;
  return whole ? bytes.buffer as ArrayBuffer : ownedBuffer(bytes);
}

function context(run: number, job: IsolateJob, signal: AbortSignal): JobContext {
  return buildJobContext(job, {
    signal,
    log: (level, message, fields) => postLog(level, message, fields, run),
    progress(percent, message) {
      post({ type: "progress", run, percent, ...(message === undefined ? {} : { message }) });
    },
    enqueue: ((ref: unknown, payload: unknown, options?: unknown) =>
      enqueue(run, ref, payload, options)) as Enqueue,
  });
}

function enqueue(run: number, ref: unknown, payload: unknown, options: unknown): Promise<string> {
  const name = typeof ref === "string" ? ref : definitionOf(ref)?.name;
  if (name === undefined) {
    return Promise.reject(
      new TypeError("ctx.enqueue: name a function by definition, @job class or name"),
    );
  }
  return new Promise<string>((resolve, reject) => {
    const call = nextCall++;
    enqueueCalls.set(call, { resolve, reject });
    try {
      post({ type: "enqueue", run, call, name, payload, options });
    } catch (error) {
      enqueueCalls.delete(call);
      reject(
        new TypeError(`ctx.enqueue(${JSON.stringify(name)}): the payload cannot be sent`, {
          cause: error,
        }),
      );
    }
  });
}

scope.addEventListener("message", (event) => {
  const message = event.data;
  switch (message.type) {
    case "init":
      void init(message);
      break;
    case "run":
      void run(message);
      break;
    case "abort":
      running.get(message.run)?.abort(reviveError(message.reason));
      break;
    case "enqueued":
      enqueueCalls.get(message.call)?.resolve(message.id);
      enqueueCalls.delete(message.call);
      break;
    case "enqueue-failed":
      enqueueCalls.get(message.call)?.reject(reviveError(message.error));
      enqueueCalls.delete(message.call);
      break;
  }
});

reportCrashes();
