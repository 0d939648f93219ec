/**
 * The structured codec: V8's serializer (`node:v8`), the JavaScript counterpart of pickle. It keeps
 * `Map`, `Set`, `Date`, `BigInt`, typed arrays, `RegExp`, `Error` and cycles.
 *
 * Trust boundary: decoding V8 bytes from an untrusted source is unsafe. Only producers inside the
 * trust boundary use this codec; anything arriving over HTTP is JSON, and the envelope refuses to
 * decode `structured` bytes unless the caller says they come from the store.
 *
 * @module
 */
import { deserialize, serialize } from "node:v8";
import { type Codec, codecError } from "./codec.ts";

/** V8 structured serialization; functions, symbols and class-private state are refused. */
export const structuredCodec: Codec = Object.freeze({
  name: "structured" as const,
  id: 2,
  encode(value: unknown): Uint8Array {
    try {
      return serialize(value);
    } catch (error) {
      throw codecError("structured", "encode this value", error);
    }
  },
  decode(bytes: Uint8Array): unknown {
    try {
      return deserialize(bytes);
    } catch (error) {
      throw codecError("structured", "decode these bytes", error);
    }
  },
});
