/**
 * The JSON codec (the default): UTF-8 JSON, readable by any language and by humans.
 *
 * @module
 */
import { type Codec, codecError } from "./codec.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
/** For ASCII only, which is valid UTF-8 as it is: Deno's strict decoder costs about 3x more. */
const asciiDecoder = new TextDecoder("utf-8");
/** Longest body checked for ASCII first (past it, scanning costs more than it saves). */
const ASCII_SCAN_LIMIT = 4096;

/**
 * UTF-8 JSON with JSON's own rules: `Date` becomes its ISO string, `undefined` properties are
 * dropped, `Map` and `Set` become `{}` (use `structured` for those). BigInt, cycles and a bare
 * function, symbol or `undefined` are refused with a `TypeError` naming the codec.
 */
export const jsonCodec: Codec = Object.freeze({
  name: "json" as const,
  id: 0,
  encode(value: unknown): Uint8Array {
    return jsonBytes(jsonText(value));
  },
  decode(bytes: Uint8Array): unknown {
    try {
      return JSON.parse(utf8Text(bytes));
    } catch (error) {
      throw codecError("json", "decode these bytes", error);
    }
  },
});

/** `bytes` as text; invalid UTF-8 throws. */
function utf8Text(bytes: Uint8Array): string {
  return bytes.byteLength <= ASCII_SCAN_LIMIT && isAscii(bytes)
    ? asciiDecoder.decode(bytes)
    : decoder.decode(bytes);
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.byteLength; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

/** `value` as JSON text; what JSON cannot represent throws the codec's `TypeError`. */
export function jsonText(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw codecError("json", "encode this value", error);
  }
  if (text === undefined) throw codecError("json", "encode this value", `a bare ${typeof value}`);
  return text;
}

/** JSON text as the codec's bytes (UTF-8). */
export function jsonBytes(text: string): Uint8Array {
  return encoder.encode(text);
}
