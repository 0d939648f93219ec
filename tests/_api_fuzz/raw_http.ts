/**
 * Raw HTTP cases of the API fuzz, written to a socket (`Deno.connect`) as no HTTP client would
 * send them: malformed request lines and headers, lying `Content-Length`s, broken chunked
 * framing, bodies cut off, oversized and non-UTF-8 bodies. Each gets a non-5xx answer or a
 * closed connection, some a named error, and the server answers `/healthz` after every one.
 *
 * @module
 */
import { TOKENS } from "../_gateway_harness.ts";
import { nestedText } from "./hostile.ts";

/** One raw case. */
export interface RawCase {
  /** What it sends. */
  name: string;
  /** The bytes. */
  bytes: Uint8Array;
  /** Close the writing half after sending (the server sees the body end early). */
  halfClose?: boolean;
  /** The error code the answer must carry, when it is known. */
  code?: string;
}

const enc = new TextEncoder();
const AUTH = `Authorization: Bearer ${TOKENS.admin}\r\n`;

function post(path: string, headers: string, body: string | Uint8Array): Uint8Array {
  const head = enc.encode(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${AUTH}${headers}\r\n`);
  const tail = typeof body === "string" ? enc.encode(body) : body;
  const all = new Uint8Array(head.length + tail.length);
  all.set(head);
  all.set(tail, head.length);
  return all;
}

function json(path: string, body: string | Uint8Array): Uint8Array {
  const length = typeof body === "string" ? enc.encode(body).length : body.length;
  return post(path, `Content-Type: application/json\r\nContent-Length: ${length}\r\n`, body);
}

function chunked(path: string, body: string): Uint8Array {
  return post(path, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n", body);
}

function chunks(text: string, size = 64 * 1024): string {
  let out = "";
  for (let i = 0; i < text.length; i += size) {
    const part = text.slice(i, i + size);
    out += `${enc.encode(part).length.toString(16)}\r\n${part}\r\n`;
  }
  return `${out}0\r\n\r\n`;
}

const line = (text: string) => enc.encode(text);

/** The raw cases. */
export function rawCases(): RawCase[] {
  const enqueue = '{"job":"add","payload":{"a":1,"b":2}}';
  return [
    { name: "garbage request line", bytes: line("HELLO\r\n\r\n") },
    { name: "unknown HTTP version", bytes: line("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n") },
    { name: "no Host", bytes: line("GET /v1/queues HTTP/1.1\r\n\r\n") },
    {
      name: "header without colon",
      bytes: line("GET /healthz HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n"),
    },
    {
      name: "100 KB header",
      bytes: line(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(100_000)}\r\n\r\n`),
    },
    {
      name: "2,000 headers",
      bytes: line(
        `GET /healthz HTTP/1.1\r\nHost: x\r\n${
          Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`).join("\r\n")
        }\r\n\r\n`,
      ),
    },
    {
      name: "NUL in path",
      bytes: line("GET /v1/jobs/a\0b HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n"),
    },
    {
      name: "bad percent escape",
      bytes: line("GET /v1/jobs/%zz%ED%A0%80 HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n"),
    },
    {
      name: "absolute URI, foreign host",
      bytes: line("GET http://evil.example/healthz HTTP/1.1\r\nHost: evil.example\r\n\r\n"),
    },
    { name: "chunk size not hex", bytes: chunked("/v1/jobs", "zz\r\nabc\r\n0\r\n\r\n") },
    {
      name: "chunked body cut off",
      bytes: chunked("/v1/jobs", `ff\r\n${enqueue}`),
      halfClose: true,
      code: "BODY_UNREADABLE",
    },
    {
      name: "Content-Length longer than the body",
      bytes: post("/v1/jobs", "Content-Type: application/json\r\nContent-Length: 500\r\n", enqueue),
      halfClose: true,
      code: "BODY_UNREADABLE",
    },
    {
      name: "Content-Length and chunked",
      bytes: post(
        "/v1/jobs",
        "Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n",
        chunks(enqueue),
      ),
    },
    {
      name: "Content-Length not a number",
      bytes: post("/v1/jobs", "Content-Type: application/json\r\nContent-Length: -1\r\n", enqueue),
    },
    {
      name: "body not UTF-8",
      bytes: json(
        "/v1/jobs",
        new Uint8Array([0x7b, 0x22, 0x6a, 0x6f, 0x62, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
      ),
      code: "INVALID_UNICODE",
    },
    {
      name: "chunked body over 1 MiB",
      bytes: chunked("/v1/jobs", chunks("x".repeat(1_200_000))),
      code: "BODY_TOO_LARGE",
    },
    {
      name: "Content-Length over 1 MiB",
      bytes: post("/v1/jobs", "Content-Type: application/json\r\nContent-Length: 2000000\r\n", ""),
      code: "BODY_TOO_LARGE",
    },
    {
      name: "chunked deep JSON",
      bytes: chunked(
        "/v1/jobs",
        chunks(`{"job":"echo","payload":${nestedText(100_000, "array")}}`),
      ),
      code: "BODY_TOO_DEEP",
    },
    {
      name: "lone surrogate escape",
      bytes: json("/v1/jobs", '{"job":"echo","payload":1,"options":{"id":"\\ud800"}}'),
      code: "INVALID_UNICODE",
    },
    {
      name: "pipelined, second malformed",
      bytes: line(
        `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nbad header\r\n\r\n`,
      ),
    },
    {
      name: "HTTP/1.0 POST without length",
      bytes: line(
        `POST /v1/jobs HTTP/1.0\r\nHost: x\r\n${AUTH}Content-Type: application/json\r\n\r\n${enqueue}`,
      ),
      halfClose: true,
    },
  ];
}

/** The status and body of the first answer on the socket, or null when it closed without one. */
export async function sendRaw(
  port: number,
  c: RawCase,
): Promise<{ status: number; text: string } | null> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    try {
      let written = 0;
      while (written < c.bytes.length) written += await conn.write(c.bytes.subarray(written));
      if (c.halfClose) await conn.closeWrite();
    } catch {
      // the server may close before reading everything (e.g. an oversized body): read its answer
    }
    const chunks: Uint8Array[] = [];
    const deadline = setTimeout(() => conn.close(), 10_000);
    try {
      const buffer = new Uint8Array(64 * 1024);
      for (;;) {
        const n = await conn.read(buffer).catch(() => null);
        if (n === null) break;
        chunks.push(buffer.slice(0, n));
        const text = new TextDecoder().decode(concat(chunks));
        if (answerComplete(text)) break;
      }
    } finally {
      clearTimeout(deadline);
    }
    const text = new TextDecoder().decode(concat(chunks));
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
    return match ? { status: Number(match[1]), text } : null;
  } finally {
    try {
      conn.close();
    } catch {
      // closed by the deadline
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

function answerComplete(text: string): boolean {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end));
  return length ? text.length - end - 4 >= Number(length[1]) : true;
}
