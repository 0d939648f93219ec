/**
 * Reading request bodies safely, before any handler sees them: at most `maxBytes` (413
 * `BODY_TOO_LARGE`, whatever `Content-Length` claims), a body that breaks off or whose chunked
 * framing is invalid is a 400 `BODY_UNREADABLE` (not a 500), bytes that are not UTF-8 or a
 * lone surrogate escape a 400 `INVALID_UNICODE` (a UTF-8 store would turn two different names
 * into one), and JSON nested deeper than `MAX_JSON_DEPTH` a 400 `BODY_TOO_DEEP` (deep values
 * overflow the stack of the codecs and copies behind the store).
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { ApiError, errorResponse } from "./errors.ts";
import { MAX_JSON_DEPTH, scanJson } from "./json_scan.ts";

/** Options of `guardBodies`. */
export interface BodyGuardOptions {
  /** Largest body in bytes. */
  maxBytes: number;
  /** The 413 error (its message names the limit). */
  tooLarge: () => ApiError;
}

class TooLarge extends Error {}

async function readAll(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new TooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

function refuse(c: Context, code: string, message: string): Response {
  return errorResponse(c, new ApiError(400, code, message));
}

function declaredTooLarge(c: Context, maxBytes: number): boolean {
  const length = c.req.header("content-length");
  return c.req.header("transfer-encoding") === undefined && length !== undefined &&
    Number(length) > maxBytes;
}

/** Middleware: reads and checks every request body once; handlers read the checked copy. */
export function guardBodies(options: BodyGuardOptions): MiddlewareHandler {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return await next();
    if (declaredTooLarge(c, options.maxBytes)) return errorResponse(c, options.tooLarge());
    let bytes: Uint8Array;
    try {
      bytes = await readAll(body, options.maxBytes);
    } catch (error) {
      if (error instanceof TooLarge) return errorResponse(c, options.tooLarge());
      return refuse(
        c,
        "BODY_UNREADABLE",
        `the request body could not be read: ${(error as Error).message ?? error}`,
      );
    }
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      return refuse(c, "INVALID_UNICODE", "the request body is not valid UTF-8");
    }
    const scan = scanJson(text);
    if (scan.depth > MAX_JSON_DEPTH) {
      return refuse(
        c,
        "BODY_TOO_DEEP",
        `the request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    if (scan.loneSurrogate) {
      return refuse(
        c,
        "INVALID_UNICODE",
        "the request body escapes a lone surrogate (\\ud800-\\udfff without its pair)",
      );
    }
    // a new request of the checked text; built from its parts, not from the request itself,
    // which would read its signal (Deno warns about its legacy abort on every such read)
    const raw = c.req.raw;
    c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body: text });
    return await next();
  };
}
