/**
 * Compression of encoded payloads with `node:zlib`: none, gzip, deflate, brotli, zstd. The
 * envelope records which one was used, and compresses only bodies above a size threshold.
 *
 * @module
 */
import * as zlib from "node:zlib";

/** The name of a compression. */
export type CompressionName = "none" | "gzip" | "deflate" | "brotli" | "zstd";

/** One compression algorithm. */
export interface Compression {
  /** Stable name, used in options and messages. */
  readonly name: CompressionName;
  /** Stable id, recorded in the envelope header (never reuse one; at most 15). */
  readonly id: number;
  /** Compresses `bytes`. */
  compress(bytes: Uint8Array): Uint8Array;
  /** Decompresses bytes made by `compress`; throws a `TypeError` naming it on bad input. */
  decompress(bytes: Uint8Array): Uint8Array;
}

function zlibPair(
  name: CompressionName,
  id: number,
  compress: (bytes: Uint8Array) => Uint8Array,
  decompress: (bytes: Uint8Array) => Uint8Array,
): Compression {
  return Object.freeze({
    name,
    id,
    compress,
    decompress(bytes: Uint8Array): Uint8Array {
      try {
        return decompress(bytes);
      } catch (error) {
        throw new TypeError(`${name} cannot decompress these bytes: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
  });
}

/** Every compression, by name. Brotli runs at quality 4 and zstd at level 3: fast, still small. */
export const COMPRESSIONS: Readonly<Record<CompressionName, Compression>> = Object.freeze({
  none: zlibPair("none", 0, (b) => b, (b) => b),
  gzip: zlibPair("gzip", 1, (b) => zlib.gzipSync(b), (b) => zlib.gunzipSync(b)),
  deflate: zlibPair("deflate", 2, (b) => zlib.deflateSync(b), (b) => zlib.inflateSync(b)),
  brotli: zlibPair(
    "brotli",
    3,
    (b) =>
      zlib.brotliCompressSync(b, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.byteLength,
        },
      }),
    (b) => zlib.brotliDecompressSync(b),
  ),
  zstd: zlibPair("zstd", 4, (b) => zlib.zstdCompressSync(b), (b) => zlib.zstdDecompressSync(b)),
});

/** The compression names, for messages and options. */
export const COMPRESSION_NAMES: readonly CompressionName[] = Object.freeze(
  Object.keys(COMPRESSIONS) as CompressionName[],
);

const BY_ID = new Map(Object.values(COMPRESSIONS).map((c) => [c.id, c]));

/** Throws a `TypeError` naming `where` and the value unless `value` names a compression. */
export function assertCompressionName(
  value: unknown,
  where: string,
): asserts value is CompressionName {
  if (typeof value !== "string" || !Object.hasOwn(COMPRESSIONS, value)) {
    throw new TypeError(
      `${where}: compression must be one of ${COMPRESSION_NAMES.join(", ")}; ` +
        `got ${JSON.stringify(value)}`,
    );
  }
}

/** The compression with envelope id `id`, or undefined. */
export function compressionById(id: number): Compression | undefined {
  return BY_ID.get(id);
}
