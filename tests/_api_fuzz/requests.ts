/**
 * Requests of the API fuzz, one arbitrary per operation of `/openapi.json`: schema-valid path
 * parameters, query and body with the right token, and malformed variants of each part (hostile
 * path segments and query values, wrong types, missing and unknown fields, `__proto__` keys, deep
 * and huge JSON, text that is not JSON, bytes that are not UTF-8, wrong content types, missing,
 * wrong or too small tokens, a foreign origin).
 *
 * @module
 */
import fc from "fast-check";
import { TOKENS } from "../_gateway_harness.ts";
import {
  deepBodyText,
  hostileName,
  hugeBodyText,
  invalidUtf8,
  malformedText,
  PROTO_KEYS,
  protoBodyText,
  wrongValue,
} from "./hostile.ts";
import {
  type Doc,
  type Hints,
  type Operation,
  resolve,
  type Schema,
  valueArb,
} from "./schema_arb.ts";

/** One operation of the document. */
export interface Endpoint {
  /** `METHOD /path/{param}`, the key of the table. */
  key: string;
  /** Upper-case method. */
  method: string;
  /** The path template. */
  template: string;
  /** The operation. */
  operation: Operation;
  /** True for state-changing methods. */
  mutating: boolean;
}

/** One request the fuzz sends. */
export interface FuzzRequest {
  /** Which kind of variant it is (`valid`, `deep-body`...). */
  variant: string;
  /** Method. */
  method: string;
  /** Path and query, percent-encoded as sent. */
  target: string;
  /** Headers. */
  headers: Record<string, string>;
  /** The body, if any. */
  body?: string | Uint8Array<ArrayBuffer>;
}

/** Every operation of `doc`, in document order. */
export function endpointsOf(doc: Doc): Endpoint[] {
  return Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.entries(ops).map(([method, operation]) => {
      const upper = method.toUpperCase();
      return {
        key: `${upper} ${template}`,
        method: upper,
        template,
        operation,
        mutating: upper !== "GET" && upper !== "HEAD",
      };
    })
  );
}

/** `encodeURIComponent`, but a lone surrogate becomes its (invalid) three UTF-8-like bytes. */
export function encodePart(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    } else out += encodeURIComponent(char);
  }
  return out;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value) ?? "";
}

/** How a request's path segment is written: encoded, or raw (slashes, `?`, `#` and all). */
const segmentStyle = fc.constantFrom("encoded", "encoded", "encoded", "raw", "double-encoded");

function segment(value: string, style: string): string {
  if (style === "raw") {
    // raw, but for what would end the request line: control characters and spaces
    return [...value].map((c) => c.charCodeAt(0) <= 0x20 ? encodePart(c) : c).join("");
  }
  const once = encodePart(value);
  return style === "double-encoded" ? encodePart(once) : once;
}

type Params = Record<string, unknown>;

function paramsArb(doc: Doc, endpoint: Endpoint, where: string, hints: Hints) {
  const params = (endpoint.operation.parameters ?? []).filter((p) => p.in === where);
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of params) {
    // a header carries Latin-1 only: keep header values to what a client can send
    shape[p.name] = where === "header"
      ? fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) })
      : valueArb(doc, p.schema, hints, p.name);
  }
  const required = params.filter((p) => p.required).map((p) => p.name);
  return fc.record(shape, { requiredKeys: required }) as fc.Arbitrary<Params>;
}

function pathOf(template: string, params: Params, style: string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => segment(text(params[name]), style));
}

function queryOf(query: [string, unknown][]): string {
  const parts = query.map(([k, v]) => `${encodePart(k)}=${encodePart(text(v))}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

function tokenOf(endpoint: Endpoint): string {
  return endpoint.mutating ? TOKENS.admin : TOKENS.read;
}

function jsonHeaders(endpoint: Endpoint): Record<string, string> {
  return { authorization: `Bearer ${tokenOf(endpoint)}`, "content-type": "application/json" };
}

/** The body schema of `endpoint`, resolved, or null. */
export function bodySchema(doc: Doc, endpoint: Endpoint): Schema | null {
  const schema = endpoint.operation.requestBody?.content["application/json"]?.schema;
  return schema ? resolve(doc, schema) : null;
}

/**
 * `pairs` with the values of capped fields (`wait`...) held to their cap when a valid-looking
 * value exceeds it: a hostile request may be refused, never held open for a minute.
 */
function capped(pairs: [string, unknown][], hints: Hints): [string, unknown][] {
  return pairs.map(([key, value]) => {
    const cap = hints.caps[key];
    const n = typeof value === "number" || typeof value === "string" ? Number(value) : NaN;
    return cap !== undefined && Number.isFinite(n) && n > cap ? [key, cap] : [key, value];
  });
}

function cappedBody(body: unknown, hints: Hints): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(capped(Object.entries(body), hints));
}

/** Changes one top-level field of an object body: wrong type, removed, hostile, proto key. */
const fieldMutation = fc.tuple(
  fc.constantFrom("wrong-type", "drop", "hostile-string", "extra", "proto-key"),
  fc.nat(),
  wrongValue,
  hostileName,
);

function mutateBody(body: unknown, mutation: [string, number, unknown, string]): unknown {
  const [kind, pick, wrong, name] = mutation;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return wrong;
  const copy: Record<string, unknown> = { ...body as Record<string, unknown> };
  const keys = Object.keys(copy);
  const key = keys.length ? keys[pick % keys.length]! : "job";
  if (kind === "wrong-type") copy[key] = wrong;
  else if (kind === "drop") delete copy[key];
  else if (kind === "hostile-string") copy[key] = name;
  else if (kind === "extra") copy[`x-${name}`] = wrong;
  else {Object.defineProperty(copy, PROTO_KEYS[pick % PROTO_KEYS.length]!, {
      value: { polluted: true },
      enumerable: true,
    });}
  return copy;
}

const badHeaders = fc.constantFrom<[string, Record<string, string>]>(
  ["no-token", { "content-type": "application/json" }],
  ["wrong-token", { authorization: "Bearer nope", "content-type": "application/json" }],
  ["read-token", { authorization: `Bearer ${TOKENS.read}`, "content-type": "application/json" }],
  ["empty-bearer", { authorization: "Bearer ", "content-type": "application/json" }],
  ["basic-auth", { authorization: "Basic YWRtaW46YWRtaW4=", "content-type": "application/json" }],
  ["token-twice", {
    authorization: `Bearer ${TOKENS.admin} ${TOKENS.admin}`,
    "content-type": "application/json",
  }],
  ["huge-token", { authorization: `Bearer ${"a".repeat(16_000)}` }],
  ["text-plain", { authorization: `Bearer ${TOKENS.admin}`, "content-type": "text/plain" }],
  ["form", {
    authorization: `Bearer ${TOKENS.admin}`,
    "content-type": "application/x-www-form-urlencoded",
  }],
  ["json-charset", {
    authorization: `Bearer ${TOKENS.admin}`,
    "content-type": "application/json; charset=utf-16",
  }],
  ["json-suffix", {
    authorization: `Bearer ${TOKENS.admin}`,
    "content-type": "application/jsonx",
  }],
  ["foreign-origin", {
    authorization: `Bearer ${TOKENS.admin}`,
    "content-type": "application/json",
    origin: "https://evil.example",
    "sec-fetch-site": "cross-site",
  }],
  ["odd-last-event-id", {
    authorization: `Bearer ${TOKENS.admin}`,
    "last-event-id": "9999999999999999999999-0\t*",
  }],
);

/** Methods besides the operation's own: 405 with `Allow`, or 404, in the one error shape. */
const otherMethod = fc.constantFrom(
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "PROPFIND",
  "FOO",
);

/** What to send for one endpoint: which parts are valid and which are mutated. */
export function requestArb(doc: Doc, endpoint: Endpoint, hints: Hints): fc.Arbitrary<FuzzRequest> {
  const schema = bodySchema(doc, endpoint);
  const base = fc.record({
    path: paramsArb(doc, endpoint, "path", hints),
    query: paramsArb(doc, endpoint, "query", hints),
    header: paramsArb(doc, endpoint, "header", hints),
    body: schema ? valueArb(doc, schema, hints, `body:${endpoint.key}`) : fc.constant(undefined),
    style: segmentStyle,
  });
  const build = (
    variant: string,
    parts: { path: Params; query: Params; header: Params; body: unknown; style: string },
    over: Partial<FuzzRequest> = {},
  ): FuzzRequest => ({
    variant,
    method: endpoint.method,
    target: pathOf(endpoint.template, parts.path, parts.style) +
      queryOf(Object.entries(parts.query)),
    headers: {
      ...(endpoint.mutating ? jsonHeaders(endpoint) : { authorization: `Bearer ${TOKENS.read}` }),
      ...Object.fromEntries(Object.entries(parts.header).map(([k, v]) => [k, text(v)])),
    },
    ...(parts.body !== undefined ? { body: JSON.stringify(parts.body) } : {}),
    ...over,
  });
  const hasPath = endpoint.template.includes("{");
  const hasQuery = (endpoint.operation.parameters ?? []).some((p) => p.in === "query");
  const variants: fc.Arbitrary<FuzzRequest>[] = [
    base.map((p) => build("valid", p)),
    base.map((p) => build("valid", p)),
    fc.tuple(base, badHeaders).map(([p, [name, headers]]) =>
      build(`headers:${name}`, p, { headers })
    ),
    fc.tuple(base, otherMethod).map(([p, method]) => {
      const req = build(`method:${method}`, p, { method });
      if (method === "GET" || method === "HEAD") delete req.body;
      return req;
    }),
  ];
  if (hasPath) {
    variants.push(
      fc.tuple(base, hostileName).map(([p, name]) => {
        const path = Object.fromEntries(Object.keys(p.path).map((k) => [k, name]));
        return build("hostile-path", { ...p, path });
      }),
    );
  }
  variants.push(
    fc.tuple(
      base,
      fc.array(
        fc.tuple(
          fc.oneof(
            hostileName,
            fc.constantFrom(
              ...((endpoint.operation.parameters ?? []).filter((q) => q.in === "query").map((q) =>
                q.name
              )),
              "limit",
            ),
          ),
          wrongValue,
        ),
        { minLength: 1, maxLength: 4 },
      ),
    ).map(([p, query]) =>
      build(hasQuery ? "hostile-query" : "unknown-query", p, {
        target: pathOf(endpoint.template, p.path, p.style) + queryOf(capped(query, hints)),
      })
    ),
  );
  if (endpoint.mutating) {
    const withBody = (variant: string, body: fc.Arbitrary<string | Uint8Array<ArrayBuffer>>) =>
      fc.tuple(base, body).map(([p, b]) => build(variant, p, { body: b }));
    variants.push(
      fc.tuple(base, fieldMutation).map(([p, m]) =>
        build(`body:${m[0]}`, { ...p, body: cappedBody(mutateBody(p.body ?? {}, m), hints) })
      ),
      withBody("body:wrong-json-type", wrongValue.map((v) => JSON.stringify(v) ?? "null")),
      withBody("body:malformed", malformedText),
      withBody("body:proto", protoBodyText),
      withBody("body:deep", deepBodyText),
      withBody("body:invalid-utf8", invalidUtf8),
    );
  }
  const weighted = variants.map((arbitrary) => ({ arbitrary, weight: 4 }));
  if (endpoint.mutating) {
    weighted.push({
      arbitrary: fc.tuple(base, hugeBodyText).map(([p, b]) => build("body:huge", p, { body: b })),
      weight: 1,
    });
  }
  return fc.oneof(...weighted);
}
