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
 * `PayloadMigrationError`, `PayloadValidationError`) when the payload can never run here.
 */
export async function readPayload(
  encoder: PayloadEncoder,
  definition: JobDefinition,
  bytes: Uint8Array,
): Promise<ReadPayload> {
  const { value, header } = encoder.decode(bytes);
  if (header.version > definition.version) return { kind: "too-new", version: header.version };
  const current = header.version < definition.version
    ? await migratePayload(definition.name, value, header.version, definition)
    : value;
  const parsed = definition.payload.safeParse(current);
  if (!parsed.success) {
    throw new PayloadValidationError(definition.name, (parsed.error as z.ZodError).issues);
  }
  return { kind: "ready", value: parsed.data };
}
