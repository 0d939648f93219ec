/**
 * Results the memory store keeps (a completed job's, until retention drops it): small ones as a
 * one-byte string, one character per byte, larger ones in a buffer of their own. A `Uint8Array`
 * with a buffer of its own costs Deno an external allocation that the garbage collector tracks
 * and sweeps (0.5-0.9 µs to make, more to collect), where a short string lives on the heap like
 * any small object. They become bytes again only when read (`getJob`), which most never are.
 *
 * Payloads stay bytes of their own (`ownBytes`): every one is read back at its lease, where a
 * string would cost a copy per job.
 *
 * @module
 */
import { ownBytes, POOLED_MAX } from "../../codec/byte_pool.ts";

/** Bytes as the memory store keeps them. */
export type KeptBytes = string | Uint8Array;

/** `bytes` to keep: a one-byte string up to the byte pool's largest array, else a copy. */
export function keepBytes(bytes: Uint8Array): KeptBytes {
  if (bytes.byteLength > POOLED_MAX) return ownBytes(bytes);
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** Kept bytes as bytes again, in a buffer of their own (the caller may keep them). */
export function keptBytes(kept: KeptBytes): Uint8Array {
  if (typeof kept !== "string") return kept;
  const out = new Uint8Array(kept.length);
  for (let i = 0; i < kept.length; i++) out[i] = kept.charCodeAt(i);
  return out;
}
