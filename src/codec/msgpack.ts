/**
 * The MessagePack codec (msgpackr): compact binary, faster than JSON on large payloads, and
 * richer: `Date`, `BigInt`, `Set`, `Uint8Array` and other typed arrays, `RegExp` and `Error`
 * round-trip. Records are off, so the bytes are plain MessagePack plus msgpackr's extension types.
 *
 * @module
 */
import { Packr } from "msgpackr";
import { type Codec, codecError } from "./codec.ts";

const packr = new Packr({
  useRecords: false,
  moreTypes: true,
  useBigIntExtension: true,
  int64AsType: "bigint",
  writeFunction: () => {
    throw new TypeError("functions have no MessagePack form");
  },
});

/**
 * MessagePack via msgpackr. A `Map` decodes as a plain object (use `structured` to keep it);
 * functions, symbols and cycles are refused with a `TypeError` naming the codec.
 */
export const msgpackCodec: Codec = Object.freeze({
  name: "msgpack" as const,
  id: 1,
  encode(value: unknown): Uint8Array {
    try {
      return packr.pack(value);
    } catch (error) {
      const cause = error instanceof RangeError ? "the value has a cycle (or is too deep)" : error;
      throw codecError("msgpack", "encode this value", cause);
    }
  },
  decode(bytes: Uint8Array): unknown {
    try {
      return packr.unpack(bytes);
    } catch (error) {
      throw codecError("msgpack", "decode these bytes", error);
    }
  },
});
