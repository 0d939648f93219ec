/**
 * Encodes job payloads and results the way their function asks (codec, compression, payload
 * version), falling back on the engine's defaults, and enforces the payload size limit.
 *
 * @module
 */
import { PayloadTooLargeError } from "../job/errors.ts";
import type { CodecName } from "./codec.ts";
import { assertCodecName, CODECS } from "./codecs.ts";
import { assertCompressionName, type CompressionName, COMPRESSIONS } from "./compression.ts";
import {
  type OpenedValue,
  openEnvelope,
  sealAscii,
  sealEnvelope,
  type SealOptions,
} from "./envelope.ts";
import { jsonBytes, jsonCodec, jsonText } from "./json.ts";

/** Default payload size limit: 1 MiB, encoded, before compression. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Default compression threshold: bodies under 1 KiB are stored as they are. */
export const DEFAULT_COMPRESSION_THRESHOLD = 1024;

/** Engine-wide encoding settings (`createEngine` options). */
export interface EncodingDefaults {
  /** Codec of functions that name none (default `"json"`). */
  codec: CodecName;
  /** Compression of functions that name none (default `"none"`). */
  compression: CompressionName;
  /** Compress only bodies of at least this many bytes (default 1024). */
  compressionThreshold: number;
  /** Largest payload accepted at enqueue, in encoded bytes before compression (default 1 MiB). */
  maxPayloadBytes: number;
}

/** What the encoder needs to know about a function (a `JobDefinition` has it all). */
export interface EncodingProfile {
  /** Function name, for messages. */
  readonly name: string;
  /** The function's codec, or undefined for the default. */
  readonly codec: CodecName | undefined;
  /** The function's compression, or undefined for the default. */
  readonly compression: CompressionName | undefined;
  /** The payload version its code writes. */
  readonly version: number;
}

/** Checks `input` and fills in defaults; throws a `TypeError`/`RangeError` naming the option. */
export function resolveEncodingDefaults(input: Partial<EncodingDefaults> = {}): EncodingDefaults {
  const where = "createEngine";
  const codec = input.codec ?? "json";
  assertCodecName(codec, where);
  const compression = input.compression ?? "none";
  assertCompressionName(compression, where);
  const compressionThreshold = input.compressionThreshold ?? DEFAULT_COMPRESSION_THRESHOLD;
  const maxPayloadBytes = input.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  for (const [key, value] of Object.entries({ compressionThreshold, maxPayloadBytes })) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`${where}: ${key} must be a whole number of bytes >= 0, got ${value}`);
    }
  }
  return { codec, compression, compressionThreshold, maxPayloadBytes };
}

/** Encodes and decodes payloads and results of jobs. */
export class PayloadEncoder {
  #defaults: EncodingDefaults;

  /** Uses `defaults` for functions that name no codec or compression. */
  constructor(defaults: EncodingDefaults) {
    this.#defaults = defaults;
  }

  /** The engine-wide settings. */
  get defaults(): EncodingDefaults {
    return this.#defaults;
  }

  /**
   * Encodes a payload of `fn`. Throws `PayloadTooLargeError` above the size limit and a
   * `TypeError` naming the codec for values it cannot represent.
   */
  encodePayload(fn: EncodingProfile, payload: unknown): Uint8Array {
    return this.#encode(fn, payload, this.#defaults.maxPayloadBytes);
  }

  /** Encodes a result of `fn` (no size limit: the handler is trusted code). */
  encodeResult(fn: EncodingProfile, result: unknown): Uint8Array {
    return this.#encode(fn, result, Infinity);
  }

  /** Decodes a payload or result read from the store (where `structured` is trusted). */
  decode(bytes: Uint8Array): OpenedValue {
    return openEnvelope(bytes, { trusted: true });
  }

  #encode(fn: EncodingProfile, value: unknown, limit: number): Uint8Array {
    const codec = CODECS[fn.codec ?? this.#defaults.codec];
    const options: SealOptions = {
      codec,
      compression: COMPRESSIONS[fn.compression ?? this.#defaults.compression],
      version: fn.version,
      threshold: this.#defaults.compressionThreshold,
    };
    let body: Uint8Array;
    if (codec === jsonCodec) {
      // most JSON is ASCII: then it is sealed as it is written (a longer text may be too large,
      // which the general path measures in UTF-8 bytes)
      const text = jsonText(value);
      const sealed = text.length <= limit ? sealAscii(text, options) : null;
      if (sealed) return sealed;
      body = jsonBytes(text);
    } else {
      body = codec.encode(value);
    }
    if (body.byteLength > limit) throw new PayloadTooLargeError(fn.name, body.byteLength, limit);
    return sealEnvelope(body, options);
  }
}
