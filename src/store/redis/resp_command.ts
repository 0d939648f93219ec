/**
 * Script calls written to the wire in one piece. ioredis frames a command holding any `Buffer`
 * argument (a job's payload, a result) argument by argument, with a byte-length lookup and a
 * write per text argument: on a bulk enqueue, tens of thousands of small runtime calls. A
 * `ScriptCommand` frames its arguments itself (RESP: `*<n>`, then `$<bytes>` and the bytes of
 * each) into one buffer, measured first and then written in place.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Command } from "ioredis";

/** An argument of a script call: text, a number, or bytes. */
export type WireArg = string | number | Uint8Array;

const encoder = new TextEncoder();
const ASCII = /^\p{ASCII}*$/u;

/** The UTF-8 length of `s` (a lone surrogate is written as U+FFFD: 3 bytes). */
export function utf8Length(s: string): number {
  if (ASCII.test(s)) return s.length;
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 2; // a pair: 2 UTF-16 units, 4 bytes
        i++;
      } else {
        n += 2;
      }
    } else {
      n += 2;
    }
  }
  return n;
}

/** The RESP bytes of command `name` with `args`, as Redis reads a client's command. */
export function encodeCommand(name: string, args: readonly WireArg[]): Uint8Array {
  // two passes, sizes then bytes, so no text is built on the way (a call carries several
  // arguments per job)
  const lengths = new Array<number>(args.length);
  let size = 1 + digits(args.length + 1) + 2 + bulkSize(utf8Length(name));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const length = arg instanceof Uint8Array ? arg.byteLength : utf8Length(textOf(arg));
    lengths[i] = length;
    size += bulkSize(length);
  }
  // not from Buffer's shared pool: a pooled slice makes the socket write several times slower
  const out = Buffer.allocUnsafeSlow(size);
  out[0] = 42; // '*'
  let at = writeDigits(out, 1, args.length + 1);
  at = writeBulk(out, at, name, utf8Length(name));
  for (let i = 0; i < args.length; i++) at = writeBulk(out, at, args[i]!, lengths[i]!);
  if (at !== size) throw new Error(`RESP encoding wrote ${at} bytes of ${size}`);
  return out;
}

function textOf(arg: string | number): string {
  return typeof arg === "number" ? String(arg) : arg;
}

/** Bytes of a bulk string of `length` bytes: `$<length>\r\n<bytes>\r\n`. */
function bulkSize(length: number): number {
  return 1 + digits(length) + 2 + length + 2;
}

function digits(n: number): number {
  let count = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    count++;
  }
  return count;
}

/** Writes whole number `n` in decimal and CRLF at `at`; returns the end. */
function writeDigits(out: Uint8Array, at: number, n: number): number {
  const end = at + digits(n);
  for (let i = end - 1; i >= at; i--) {
    out[i] = 48 + n % 10;
    n = Math.floor(n / 10);
  }
  out[end] = 13;
  out[end + 1] = 10;
  return end + 2;
}

/** Writes `arg` (`length` bytes) as a bulk string at `at`; returns the end. */
function writeBulk(out: Buffer, at: number, arg: WireArg, length: number): number {
  out[at] = 36; // '$'
  at = writeDigits(out, at + 1, length);
  if (arg instanceof Uint8Array) {
    out.set(arg, at);
  } else {
    const text = textOf(arg);
    if (length === text.length && length <= SHORT_TEXT) {
      for (let i = 0; i < length; i++) out[at + i] = text.charCodeAt(i); // ASCII
    } else {
      const { written } = encoder.encodeInto(text, out.subarray(at, at + length));
      if (written !== length) throw new Error(`RESP encoding wrote ${written} of ${length} bytes`);
    }
  }
  at += length;
  out[at] = 13;
  out[at + 1] = 10;
  return at + 2;
}

/** Longest ASCII text written a character at a time (past it, the native encoder is faster). */
const SHORT_TEXT = 64;

/**
 * A script call (EVALSHA, EVAL or FCALL: script or function, key count 1, the key, then ARGV)
 * whose wire bytes are built by `encodeCommand`; its reply comes as ioredis' `callBuffer` gives it
 * (bulk strings as `Buffer`s). ioredis is shown only the script, key count and key: it routes a call on a cluster
 * by its key, and names the command with them in errors.
 */
export class ScriptCommand extends Command {
  #wire: Uint8Array;

  /** Command `name` (EVALSHA, EVAL or FCALL) with `args`. */
  constructor(name: string, args: readonly WireArg[]) {
    super(name, args.slice(0, 3) as (string | number)[], { replyEncoding: null });
    this.#wire = encodeCommand(name, args);
  }

  /** The bytes to write: built once, in the constructor. */
  override toWritable(): Buffer {
    return this.#wire as Buffer;
  }
}
