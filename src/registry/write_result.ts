/**
 * Writes a handler's result for the store: validated with the function's `result` schema (when it
 * has one), then encoded like its payloads (codec, compression, version envelope).
 *
 * @module
 */
import type { PayloadEncoder } from "../codec/payload_encoder.ts";
import { ResultValidationError } from "../job/errors.ts";
import type { JobDefinition } from "./definition.ts";

/**
 * The stored form of `result`, or null for `undefined`. Throws `ResultValidationError` when the
 * schema rejects it, or a codec `TypeError` when the codec cannot represent it.
 */
export function writeResult(
  encoder: PayloadEncoder,
  definition: JobDefinition,
  result: unknown,
): Uint8Array | null {
  if (definition.result) {
    const parsed = definition.result.safeParse(result);
    if (!parsed.success) throw new ResultValidationError(definition.name, parsed.error.issues);
    result = parsed.data;
  }
  return result === undefined ? null : encoder.encodeResult(definition, result);
}
