/**
 * Reads a stored payload for the running code: decode the envelope, migrate an older version up
 * to the definition's, then validate with its schema. A payload newer than the code is reported,
 * not run, so the worker can hand it back for a node that knows it.
 *
 * @module
 */
import type { z } from "zod";
import type { PayloadEncoder } from "../codec/payload_encoder.ts";
import { PayloadValidationError } from "../job/errors.ts";
import type { JobDefinition } from "./definition.ts";
import { migratePayload } from "./versions.ts";

/** A payload ready to run, or one too new for this code. */
export type ReadPayload =
  | { kind: "ready"; value: unknown }
  | { kind: "too-new"; version: number };

/**
 * Decodes, migrates and validates `bytes` for `definition`. Throws (a codec `TypeError`,
 * `PayloadMigrationError`, `PayloadValidationError`) when the payload can never run here; only a
 * payload that needs migrating is read asynchronously (migrations may be async).
 */
export function readPayload(
  encoder: PayloadEncoder,
  definition: JobDefinition,
  bytes: Uint8Array,
): ReadPayload | Promise<ReadPayload> {
  const { value, header } = encoder.decode(bytes);
  if (header.version > definition.version) return { kind: "too-new", version: header.version };
  if (header.version < definition.version) {
    return migratePayload(definition.name, value, header.version, definition)
      .then((current) => validated(definition, current));
  }
  return validated(definition, value);
}

/** `value`, of the definition's version, checked by its schema. */
function validated(definition: JobDefinition, value: unknown): ReadPayload {
  const parsed = definition.payload.safeParse(value);
  if (!parsed.success) {
    throw new PayloadValidationError(definition.name, (parsed.error as z.ZodError).issues);
  }
  return { kind: "ready", value: parsed.data };
}
