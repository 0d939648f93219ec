/**
 * The payload codecs of Sluice: JSON, MessagePack and structured clone, each optionally
 * compressed, with the defaults an engine encodes with.
 *
 * @example The codecs by name
 * ```ts
 * import { CODEC_NAMES, COMPRESSION_NAMES } from "./codec.ts";
 *
 * console.log(CODEC_NAMES.join(", "), COMPRESSION_NAMES.join(", "));
 * ```
 *
 * @module
 */
export type { Codec, CodecName } from "./src/codec/codec.ts";
export { CODEC_NAMES, CODECS } from "./src/codec/codecs.ts";
export {
  type Compression,
  COMPRESSION_NAMES,
  type CompressionName,
  COMPRESSIONS,
} from "./src/codec/compression.ts";
export {
  DEFAULT_COMPRESSION_THRESHOLD,
  DEFAULT_MAX_PAYLOAD_BYTES,
  type EncodingDefaults,
} from "./src/codec/payload_encoder.ts";
