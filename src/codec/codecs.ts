/**
 * The codec table: every shipped codec by name and by envelope id.
 *
 * @module
 */
import type { Codec, CodecName } from "./codec.ts";
import { jsonCodec } from "./json.ts";
import { msgpackCodec } from "./msgpack.ts";
import { structuredCodec } from "./structured.ts";

/** Every codec, by name. */
export const CODECS: Readonly<Record<CodecName, Codec>> = Object.freeze({
  json: jsonCodec,
  msgpack: msgpackCodec,
  structured: structuredCodec,
});

/** The codec names, for messages and options. */
export const CODEC_NAMES: readonly CodecName[] = Object.freeze(Object.keys(CODECS) as CodecName[]);

const BY_ID = new Map(Object.values(CODECS).map((c) => [c.id, c]));

/** True when `value` names a codec. */
export function isCodecName(value: unknown): value is CodecName {
  return typeof value === "string" && Object.hasOwn(CODECS, value);
}

/** Throws a `TypeError` naming `where` and the value unless `value` names a codec. */
export function assertCodecName(value: unknown, where: string): asserts value is CodecName {
  if (!isCodecName(value)) {
    throw new TypeError(
      `${where}: codec must be one of ${CODEC_NAMES.join(", ")}; got ${JSON.stringify(value)}`,
    );
  }
}

/** The codec with envelope id `id`, or undefined. */
export function codecById(id: number): Codec | undefined {
  return BY_ID.get(id);
}
