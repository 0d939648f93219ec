/**
 * The JSON codec (the default): UTF-8 JSON, readable by any language and by humans.
 *
 * @module
 */
import { type Codec, codecError } from "./codec.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * UTF-8 JSON with JSON's own rules: `Date` becomes its ISO string, `undefined` properties are
 * dropped, `Map` and `Set` become `{}` (use `structured` for those). BigInt, cycles and a bare
 * function, symbol or `undefined` are refused with a `TypeError` naming the codec.
 */
export const jsonCodec: Codec = Object.freeze({
  name: "json" as const,
  id: 0,
  encode(value: unknown): Uint8Array {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw codecError("json", "encode this value", error);
    }
    if (text === undefined) throw codecError("json", "encode this value", `a bare ${typeof value}`);
    return encoder.encode(text);
  },
  decode(bytes: Uint8Array): unknown {
    try {
      return JSON.parse(decoder.decode(bytes));
    } catch (error) {
      throw codecError("json", "decode these bytes", error);
    }
  },
});
