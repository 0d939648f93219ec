/**
 * Small byte arrays carved out of shared 8 KiB slabs. A fresh `Uint8Array` costs Deno 0.5-0.9 µs
 * and an external allocation the garbage collector tracks (its backing store lives outside the
 * heap), while a view on an existing buffer costs about 0.03 µs: every job's payload and result
 * envelope is such an array, so the hot path takes them from here. It is what Node's
 * `Buffer.allocUnsafe` does with its pool, returning plain `Uint8Array`s.
 *
 * A view keeps its whole slab alive, as a pooled `Buffer` does, and its `buffer` holds other
 * arrays' bytes. So the pool is for bytes that live briefly: an envelope on its way to Redis, a
 * leased payload until its job ends. What is kept (the memory store's payloads, results and
 * schedules) is copied to a buffer of its own (`ownBytes`), and decoders that return views on
 * their input get a copy of pooled bytes (`openEnvelope`, `isPooled`). Arrays past `POOLED_MAX` bytes get a buffer of their
 * own. A view is never the whole of its `buffer`: code that transfers a buffer (to an isolate)
 * copies a view that is not whole, as it must for any subarray.
 *
 * @module
 */

/** Bytes of one slab. */
const SLAB_BYTES = 8192;

/** Longest array taken from a slab (at least 16 fit in one). */
export const POOLED_MAX = 512;

/** Every slab handed out from (a view on one of them is pooled). */
const SLABS = new WeakSet<ArrayBufferLike>();

let slab = newSlab();
let used = 0;

function newSlab(): ArrayBuffer {
  const fresh = new ArrayBuffer(SLAB_BYTES);
  SLABS.add(fresh);
  return fresh;
}

/**
 * A `Uint8Array` of `length` bytes whose contents are unspecified (the caller writes them all):
 * a view on a shared slab up to `POOLED_MAX` bytes, its own buffer past that.
 */
export function allocBytes(length: number): Uint8Array {
  if (length > POOLED_MAX) return new Uint8Array(length);
  // a slab detached by code that transferred a view's buffer: start a new one
  if (slab.detached || used + length > slab.byteLength) {
    slab = newSlab();
    used = 0;
  }
  const out = new Uint8Array(slab, used, length);
  used = (used + length + 7) & ~7; // 8-byte aligned, as Node's pool keeps its slices
  return out;
}

/**
 * `bytes` in a buffer of exactly their own (a copy), for bytes kept long: a pooled view would keep
 * its whole slab alive, and `structuredClone` would copy the whole slab with it.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : bytes.slice();
}

/** Whether `bytes` is a view on one of the pool's slabs (its `buffer` holds others' bytes). */
export function isPooled(bytes: Uint8Array): boolean {
  return SLABS.has(bytes.buffer);
}
