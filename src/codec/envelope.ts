/**
 * The envelope: a short header in front of every stored payload and result, so one queue can hold
 * mixed encodings and any node decodes any job.
 *
 * Layout (format 1):
 *
 * | byte | meaning |
 * | --- | --- |
 * | 0 | magic `0xB5` (never the first byte of UTF-8 JSON, so headerless JSON stays readable) |
 * | 1 | codec id in the high nibble, compression id in the low nibble |
 * | 2.. | payload version, unsigned LEB128 (one byte up to version 127) |
 * | then | the body: the codec's bytes, compressed when the header says so |
 *
 * Bytes that do not start with the magic byte are read as plain JSON of version 1 (jobs written
 * before the envelope existed, or by a producer that speaks JSON only).
 *
 * @module
 */
import { allocBytes, isPooled } from "./byte_pool.ts";
import type { Codec } from "./codec.ts";
import { codecById } from "./codecs.ts";
import { type Compression, compressionById, COMPRESSIONS } from "./compression.ts";
import { jsonCodec } from "./json.ts";

/** The first byte of every envelope (format 1). */
export const ENVELOPE_MAGIC = 0xb5;

/** What an envelope header records. */
export interface EnvelopeHeader {
  /** The codec that wrote the body. */
  codec: Codec;
  /** The compression applied to the body (`none` below the threshold). */
  compression: Compression;
  /** The payload version of the code that wrote it (1 and up). */
  version: number;
}

/** How to seal a body. */
export interface SealOptions extends EnvelopeHeader {
  /** Compress only bodies of at least this many bytes. */
  threshold: number;
}

/** A decoded envelope. */
export interface OpenedValue {
  /** The decoded value. */
  value: unknown;
  /** What the header said. */
  header: EnvelopeHeader;
}

/**
 * Prefixes `body` (made by `options.codec`) with its header, compressing it first when it is at
 * least `threshold` bytes and compression makes it smaller.
 */
export function sealEnvelope(body: Uint8Array, options: SealOptions): Uint8Array {
  let compression = options.compression;
  let data = body;
  if (compression.id !== 0 && body.byteLength >= options.threshold) {
    data = compression.compress(body);
    if (data.byteLength >= body.byteLength) [data, compression] = [body, COMPRESSIONS.none];
  } else {
    compression = COMPRESSIONS.none;
  }
  const versionBytes = leb128Length(options.version);
  const out = allocBytes(2 + versionBytes + data.byteLength);
  out[0] = ENVELOPE_MAGIC;
  out[1] = (options.codec.id << 4) | compression.id;
  writeLeb128(out, 2, options.version);
  out.set(data, 2 + versionBytes);
  return out;
}

/** Longest text `sealAscii` writes itself (past it, the native UTF-8 encoder is faster). */
const ASCII_SEAL_LIMIT = 4096;

/**
 * The envelope of a body that is `text` in UTF-8, when that text is ASCII (so its own UTF-8) and
 * stays uncompressed: the bytes `sealEnvelope` makes of it, in one array from the byte pool
 * (`allocBytes`) instead of two.
 * Null otherwise (not ASCII, compression applies, or longer than the fast path is for).
 */
export function sealAscii(text: string, options: SealOptions): Uint8Array | null {
  if (text.length > ASCII_SEAL_LIMIT) return null;
  if (options.compression.id !== 0 && text.length >= options.threshold) return null;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return null;
  const start = 2 + leb128Length(options.version);
  const out = allocBytes(start + text.length);
  for (let i = 0; i < text.length; i++) out[start + i] = text.charCodeAt(i);
  out[0] = ENVELOPE_MAGIC;
  out[1] = (options.codec.id << 4) | COMPRESSIONS.none.id;
  writeLeb128(out, 2, options.version);
  return out;
}

/**
 * Decodes an envelope. `structured` bodies are decoded only with `trusted: true` (bytes from the
 * store); anything else throws a `TypeError`, as do unknown codec or compression ids.
 */
export function openEnvelope(bytes: Uint8Array, options: { trusted: boolean }): OpenedValue {
  if (bytes[0] !== ENVELOPE_MAGIC) {
    const header = { codec: jsonCodec, compression: COMPRESSIONS.none, version: 1 };
    return { value: jsonCodec.decode(bytes), header };
  }
  if (bytes.byteLength < 3) throw new TypeError("envelope: truncated header");
  const codec = codecById(bytes[1]! >> 4);
  const compression = compressionById(bytes[1]! & 0x0f);
  if (!codec || !compression) {
    throw new TypeError(
      `envelope: unknown ${codec ? "compression" : "codec"} id ${
        codec ? bytes[1]! & 0x0f : bytes[1]! >> 4
      } (written by a newer Sluice?)`,
    );
  }
  if (codec.name === "structured" && !options.trusted) {
    throw new TypeError("envelope: structured payloads are decoded only from the store");
  }
  const [version, offset] = readLeb128(bytes, 2);
  const body = compression.decompress(bytes.subarray(offset));
  // msgpack and structured decode binary values as views on their input: pooled bytes (see
  // byte_pool.ts), whose buffer others' bytes share, are copied for them first
  const input = codec !== jsonCodec && isPooled(body) ? body.slice() : body;
  return { value: codec.decode(input), header: { codec, compression, version } };
}

/** How many bytes `n` takes as unsigned LEB128. */
function leb128Length(n: number): number {
  let length = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    length++;
  }
  return length;
}

/** Writes `n` as unsigned LEB128 into `out` from `at`. */
function writeLeb128(out: Uint8Array, at: number, n: number): void {
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out[at++] = byte;
  } while (n > 0);
}

function readLeb128(bytes: Uint8Array, start: number): [number, number] {
  let n = 0;
  let scale = 1;
  for (let i = start; i < bytes.byteLength && i < start + 5; i++) {
    const byte = bytes[i]!;
    n += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return [n, i + 1];
    scale *= 128;
  }
  throw new TypeError("envelope: bad payload version field");
}
