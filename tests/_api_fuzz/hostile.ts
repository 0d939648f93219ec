/**
 * Hostile inputs of the API fuzz: names full of Redis, Lua and URL metacharacters, Unicode edge
 * cases, prototype-polluting keys, wrong types, deeply nested and huge JSON, and request body
 * texts that are not JSON at all.
 *
 * @module
 */
import fc from "fast-check";

/**
 * Names that mean something to Redis (hash tags, glob patterns, the protocol's line ends), to Lua
 * (patterns, `..`, long brackets), to URLs and shells, and Unicode edge cases. As ids, queue,
 * function, schedule and event names they must be plain data.
 */
export const METACHAR_NAMES: readonly string[] = [
  "{a}",
  "{}",
  "}{",
  "*",
  "?",
  "[a-z]",
  "a*b?c",
  "\r\n",
  "PING\r\nFLUSHALL\r\n",
  "*1\r\n$4\r\nPING\r\n",
  '"',
  "'",
  "\\",
  "--",
  "-- comment",
  "]]",
  "[[",
  "]==]",
  "%",
  "%%",
  "%s",
  "%d%d%d",
  "%n",
  "%0",
  "..",
  "../..",
  "a/b",
  "a:b:c",
  "queue:{x}:jobs",
  "\0",
  "a\0b",
  "\x01\x1f\x7f",
  "\t",
  " ",
  "  leading and trailing  ",
  "é",
  "e\u0301",
  "\u200b",
  "\u202e",
  "\ufeff",
  "\uffff",
  "日本語",
  "🦕",
  "👨‍👩‍👧‍👦",
  "𝕊𝕝𝕦𝕚𝕔𝕖",
  "\ud800",
  "\udc00x",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "0",
  "-1",
  "1e308",
  "NaN",
  "x".repeat(200),
  "x".repeat(256),
  "x".repeat(257),
  "🦕".repeat(100),
];

/** A hostile name, or a random string over a metacharacter-heavy alphabet. */
export const hostileName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...METACHAR_NAMES),
  fc.string({
    unit: fc.constantFrom(..."{}[]*?%$.-:'\"\\\r\n\0 \t/#&=+;é🦕\u200b\ud800".split("")),
    minLength: 1,
    maxLength: 30,
  }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 20 }),
);

/** Keys that pollute prototypes when an object is merged carelessly. */
export const PROTO_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];

/** A JSON text of an object holding prototype-polluting keys (as text: `__proto__` survives). */
export const protoBodyText: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom(...PROTO_KEYS),
  fc.jsonValue({ maxDepth: 2 }),
).map(([key, value]) =>
  `{"${key}": {"polluted": true, "isAdmin": true}, "job": "add", "payload": ` +
  `{"a": 1, "b": 2, "${key}": ${JSON.stringify(value ?? null)}}, ` +
  `"options": {"${key}": {"queue": "x"}}}`
);

/** `depth` nested arrays or objects around `inner`, as JSON text. */
export function nestedText(depth: number, kind: "array" | "object", inner = "0"): string {
  return kind === "array"
    ? "[".repeat(depth) + inner + "]".repeat(depth)
    : '{"a":'.repeat(depth) + inner + "}".repeat(depth);
}

/** Deeply nested JSON texts: as a whole body, and as a payload inside a valid request. */
export const deepBodyText: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom(50, 500, 5_000, 50_000, 200_000),
  fc.constantFrom("array" as const, "object" as const),
  fc.boolean(),
).map(([depth, kind, asPayload]) =>
  asPayload
    ? `{"job":"add","payload":${nestedText(depth, kind)},"options":{"queue":"math"}}`
    : nestedText(depth, kind)
);

/** Large JSON texts: just under and just over the gateway's 1 MiB limit, wide and long. */
export const hugeBodyText: fc.Arbitrary<string> = fc.constantFrom(
  () => `{"job":"add","payload":{"a":1,"b":2,"pad":"${"x".repeat(1024 * 1024 - 60)}"}}`,
  () => `{"job":"add","payload":{"a":1,"b":2,"pad":"${"x".repeat(1024 * 1024 + 10)}"}}`,
  () => `[${Array.from({ length: 200_000 }, (_, i) => i).join(",")}]`,
  () => `{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(",")}}`,
  () => JSON.stringify({ job: "x".repeat(500_000) }),
).map((make) => make());

/** Texts that are not valid JSON, or not what any endpoint takes. */
export const MALFORMED_TEXTS: readonly string[] = [
  "",
  " ",
  "{",
  "}",
  "{]",
  '{"job":',
  '{"job": "add",}',
  "{'job': 'add'}",
  "{job: 'add'}",
  "NaN",
  "Infinity",
  "-",
  "undefined",
  "null",
  "true",
  "0",
  "-0",
  "1e999",
  '"string"',
  "[]",
  "[1,2,3]",
  '{"job": "add"} trailing',
  '{"job": "add"}{"job": "add"}',
  "\ufeff{}",
  '{"a": "\\ud800"}',
  '{"a": "\\u0000"}',
  '{"a": "\\x00"}',
  '{"a": 01}',
  '{"a": .5}',
  '{"a": 1.}',
  '{"a": +1}',
  "/* comment */ {}",
  '{"__proto__": null}',
  '{"a": 1, "a": 2}',
  "\0",
  "\u2028{}",
];

/** A body text that is not valid JSON (or of the wrong JSON type). */
export const malformedText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...MALFORMED_TEXTS),
  fc.string({ maxLength: 40 }),
);

/** Bytes that are not UTF-8 at all, inside JSON-looking text. */
export const invalidUtf8: fc.Arbitrary<Uint8Array<ArrayBuffer>> = fc.constantFrom(
  [0x7b, 0x22, 0x6a, 0x6f, 0x62, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d], // {"job":"\xff\xfe"}
  [0xc3, 0x28],
  [0xed, 0xa0, 0x80], // an encoded surrogate
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x7b, 0x7d, 0x80],
).map((bytes) => new Uint8Array(bytes));

/** A value of a different JSON type than a field wants (or no JSON value at all). */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1.5,
    -0,
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    "",
    "1",
    "true",
    [],
    {},
    [null],
    { length: 1 },
  ),
  fc.jsonValue({ maxDepth: 2 }),
  hostileName,
);
