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
import { readPayload } from "../registry/read_payload.ts";
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

/** Runs the steps of one attempt; never throws. */
export async function attemptSteps(input: AttemptInput): Promise<AttemptStep> {
  const { definition, encoder } = input;
  if (!definition || !encoder) {
    // another node may know the function: retry rather than give up
    const error = new UnknownFunctionError(input.name, input.known());
    return { kind: "failed", error, retryable: true };
  }
  let payload: unknown;
  try {
    let read = readPayload(encoder, definition, input.payload);
    if (read instanceof Promise) read = await read; // only a migration is asynchronous
    if (read.kind === "too-new") {
      return { kind: "too-new", version: read.version, known: definition.version };
    }
    payload = read.value;
  } catch (error) {
    return { kind: "failed", error, retryable: false }; // undecodable, unmigratable or invalid
  }
  let result: unknown;
  try {
    result = await input.handle(definition, payload);
  } catch (error) {
    const request = handBackOf(error);
    return request === null ? { kind: "threw", error } : { kind: "handed-back", request };
  }
  try {
    return { kind: "completed", result: writeResult(encoder, definition, result) };
  } catch (error) {
    return { kind: "failed", error, retryable: false }; // the same code would return the same
  }
}
