/**
 * Script calls written to the wire in one piece. ioredis frames a command holding any `Buffer`
 * argument (a job's payload, a result) argument by argument, with a byte-length lookup and a
 * write per text argument: on a bulk enqueue, tens of thousands of small runtime calls. A
 * `ScriptCommand` frames its arguments itself (RESP: `*<n>`, then `$<bytes>` and the bytes of
 * each) into one buffer, encoding each run of text between byte arguments at once.
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
  // text runs between byte arguments, and the byte arguments, in order
  const pieces: (string | Uint8Array)[] = [];
  let text = `*${args.length + 1}\r\n$${utf8Length(name)}\r\n${name}\r\n`;
  let size = 0;
  for (const arg of args) {
    if (arg instanceof Uint8Array) {
      text += `$${arg.byteLength}\r\n`;
      pieces.push(text, arg);
      size += utf8Length(text) + arg.byteLength;
      text = "\r\n";
    } else {
      const s = typeof arg === "number" ? String(arg) : arg;
      text += `$${utf8Length(s)}\r\n${s}\r\n`;
    }
  }
  pieces.push(text);
  size += utf8Length(text);
  // not from Buffer's shared pool: a pooled slice makes the socket write several times slower
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const piece of pieces) {
    if (typeof piece === "string") {
      at += encoder.encodeInto(piece, out.subarray(at)).written;
    } else {
      out.set(piece, at);
      at += piece.byteLength;
    }
  }
  if (at !== size) throw new Error(`RESP encoding wrote ${at} bytes of ${size}`);
  return out;
}

/**
 * A script call (EVALSHA or EVAL: script, key count 1, the key, then ARGV) whose wire bytes are
 * built by `encodeCommand`; its reply comes as ioredis' `callBuffer` gives it (bulk strings as
 * `Buffer`s). ioredis is shown only the script, key count and key: it routes a call on a cluster
 * by its key, and names the command with them in errors.
 */
export class ScriptCommand extends Command {
  #wire: Uint8Array;

  /** Command `name` (EVALSHA or EVAL) with `args`. */
  constructor(name: string, args: readonly WireArg[]) {
    super(name, args.slice(0, 3) as (string | number)[], { replyEncoding: null });
    this.#wire = encodeCommand(name, args);
  }

  /** The bytes to write: built once, in the constructor. */
  override toWritable(): Buffer {
    return this.#wire as Buffer;
  }
}
