/**
 * The codec interface: one small seam that turns values into bytes and back. Sluice ships three
 * (`json`, `msgpack`, `structured`); the envelope records which one wrote a payload, so any node
 * decodes any job.
 *
 * @module
 */

/** The name of a codec shipped with Sluice. */
export type CodecName = "json" | "msgpack" | "structured";

/** Turns values into bytes for the store and back. */
export interface Codec {
  /** Stable name, used in options and messages. */
  readonly name: CodecName;
  /** Stable one-byte id, recorded in the envelope header (never reuse one). */
  readonly id: number;
  /** Encodes a value; throws a `TypeError` naming the codec for values it cannot represent. */
  encode(value: unknown): Uint8Array;
  /** Decodes bytes made by `encode`; throws a `TypeError` naming the codec for bad bytes. */
  decode(bytes: Uint8Array): unknown;
}

/** A `TypeError` naming `codec` and what it could not do, with the underlying error as cause. */
export function codecError(codec: CodecName, action: string, cause: unknown): TypeError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new TypeError(`${codec} codec cannot ${action}: ${detail}`, { cause });
}
