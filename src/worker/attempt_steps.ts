/**
 * The steps of one attempt, the same wherever it runs (inline in `run_job.ts`, or inside an
 * isolate in `isolate_main.ts`): find the function, decode, migrate and validate the payload,
 * call the handler, validate and encode its result. What a failed step means is decided here
 * (an unknown function may be known elsewhere: retry; a payload or result that can never pass:
 * do not); each caller turns the step it ended on into its own outcome.
 *
 * @module
 */
import type { PayloadEncoder } from "../codec/payload_encoder.ts";
import { UnknownFunctionError } from "../job/errors.ts";
import type { JobDefinition } from "../registry/definition.ts";
import { type ReadPayload, readPayload } from "../registry/read_payload.ts";
import { writeResult } from "../registry/write_result.ts";
import { handBackOf, type HandBackRequest } from "./failed_attempt.ts";

/** Where an attempt's steps ended. */
export type AttemptStep =
  /** The handler returned; `result` is the encoded result, null for none. */
  | { kind: "completed"; result: Uint8Array | null }
  /** A step around the handler failed; `retryable` is false when retrying cannot help. */
  | { kind: "failed"; error: unknown; retryable: boolean }
  /** The handler threw (not a hand-back): the caller judges the error. */
  | { kind: "threw"; error: unknown }
  /** The handler snoozed or was rate limited. */
  | { kind: "handed-back"; request: HandBackRequest }
  /** The payload is version `version`, the code knows up to `known`. */
  | { kind: "too-new"; version: number; known: number };

/** What an attempt's steps run on. */
export interface AttemptInput {
  /** The function's name. */
  name: string;
  /** Its definition here, or undefined when this code does not know it. */
  definition: JobDefinition | undefined;
  /** The names this code knows (for the unknown-function error). */
  known: () => string[];
  /** The encoder of payloads and results (null: not ready, as if the function were unknown). */
  encoder: PayloadEncoder | null;
  /** The encoded payload. */
  payload: Uint8Array;
  /** Calls the handler with the decoded payload (with its context and guard); may be async. */
  handle: (definition: JobDefinition, payload: unknown) => unknown;
}

/** The payload ready for the handler, or the step the attempt ended on before it. */
export type PayloadStep = {
  kind: "payload";
  definition: JobDefinition;
  encoder: PayloadEncoder;
  value: unknown;
} | AttemptStep;

/**
 * The steps before the handler: find the function, decode, migrate and validate the payload.
 * Synchronous unless the payload needs migrating (migrations may be async); never throws.
 */
export function payloadStep(
  input: Omit<AttemptInput, "handle">,
): PayloadStep | Promise<PayloadStep> {
  const { definition, encoder } = input;
  if (!definition || !encoder) {
    // another node may know the function: retry rather than give up
    const error = new UnknownFunctionError(input.name, input.known());
    return { kind: "failed", error, retryable: true };
  }
  let read: ReturnType<typeof readPayload>;
  try {
    read = readPayload(encoder, definition, input.payload);
  } catch (error) {
    return unreadable(error);
  }
  if (read instanceof Promise) { // only a migration is asynchronous
    return read.then((ready) => readyStep(ready, definition, encoder), unreadable);
  }
  return readyStep(read, definition, encoder);
}

function readyStep(
  read: ReadPayload,
  definition: JobDefinition,
  encoder: PayloadEncoder,
): PayloadStep {
  if (read.kind === "too-new") {
    return { kind: "too-new", version: read.version, known: definition.version };
  }
  return { kind: "payload", definition, encoder, value: read.value };
}

/** Undecodable, unmigratable or invalid: retrying cannot help. */
function unreadable(error: unknown): AttemptStep {
  return { kind: "failed", error, retryable: false };
}

/** The step after a handler that returned `result`: validated and encoded, or failed. */
export function resultStep(
  ready: Extract<PayloadStep, { kind: "payload" }>,
  result: unknown,
): AttemptStep {
  try {
    return { kind: "completed", result: writeResult(ready.encoder, ready.definition, result) };
  } catch (error) {
    return { kind: "failed", error, retryable: false }; // the same code would return the same
  }
}

/** The step after a handler that threw `error`: a hand-back (snooze, rate limit), or thrown. */
export function thrownStep(error: unknown): AttemptStep {
  const request = handBackOf(error);
  return request === null ? { kind: "threw", error } : { kind: "handed-back", request };
}

/** Runs the steps of one attempt; never throws. */
export async function attemptSteps(input: AttemptInput): Promise<AttemptStep> {
  let ready = payloadStep(input);
  if (ready instanceof Promise) ready = await ready;
  if (ready.kind !== "payload") return ready;
  let result: unknown;
  try {
    result = await input.handle(ready.definition, ready.value);
  } catch (error) {
    return thrownStep(error);
  }
  return resultStep(ready, result);
}
