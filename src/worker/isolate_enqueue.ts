/**
 * `ctx.enqueue` from an isolate: the isolate sends an `enqueue` request, the pool runs it on the
 * main thread with the node's enqueue hook and answers with the job id or the error.
 *
 * @module
 */
import { NotSupportedError } from "../job/errors.ts";
import type { EnqueueOptions } from "../job/options.ts";
import { errorInfo, type FromIsolate, type ToIsolate } from "./_isolate_protocol.ts";
import type { IsolatePoolOptions } from "./isolate_pool_options.ts";

/** Serves one `enqueue` request with `hook`; `reply` posts the answer to the isolate. */
export function serveEnqueue(
  hook: IsolatePoolOptions["enqueue"],
  message: Extract<FromIsolate, { type: "enqueue" }>,
  reply: (answer: ToIsolate) => void,
): void {
  const { call } = message;
  if (!hook) {
    const error = new NotSupportedError("ctx.enqueue in an isolate pool without an enqueue hook");
    return reply({ type: "enqueue-failed", call, error: errorInfo(error) });
  }
  let enqueued: Promise<string>;
  try {
    enqueued = hook(message.name, message.payload, message.options as EnqueueOptions);
  } catch (error) {
    enqueued = Promise.reject(error);
  }
  enqueued.then(
    (id) => reply({ type: "enqueued", call, id }),
    (error) => reply({ type: "enqueue-failed", call, error: errorInfo(error) }),
  );
}
