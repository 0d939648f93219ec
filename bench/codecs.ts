/**
 * Codec bench: encode + decode throughput and encoded size for every codec x compression pair, on
 * a realistic 1 KiB and 64 KiB payload (a signup event; an order export with line items).
 * Compression is forced (threshold 0) so every pair is measured. Prints one JSON line per pair.
 *
 * Run: `deno run bench/codecs.ts [--ms 300]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { CodecName } from "../src/codec/codec.ts";
import { CODECS } from "../src/codec/codecs.ts";
import { COMPRESSION_NAMES, COMPRESSIONS } from "../src/codec/compression.ts";
import { openEnvelope, sealEnvelope } from "../src/codec/envelope.ts";

function signup(i: number): Record<string, unknown> {
  return {
    userId: `usr_${(1_000_000 + i).toString(36)}`,
    email: `user.${i}@example.com`,
    name: `Ada Lovelace ${i}`,
    plan: ["free", "pro", "team"][i % 3],
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    locale: "en-GB",
    referrer: "https://news.example.org/articles/launch?utm_source=newsletter",
    consent: { marketing: i % 2 === 0, analytics: true, version: 3 },
    tags: ["beta", "early-adopter", `cohort-${i % 12}`],
  };
}

function activity(n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    event: ["page_view", "click", "search"][i % 3],
    path: `/docs/guide/${["install", "queues", "retries", "cron"][i % 4]}`,
    at: Date.UTC(2026, 0, 1) + i * 1_337,
  }));
}

function order(lines: number): Record<string, unknown> {
  return {
    orderId: "ord_01J9Z6Q4M8",
    customer: signup(7),
    currency: "EUR",
    lines: Array.from({ length: lines }, (_, i) => ({
      sku: `SKU-${10_000 + i}`,
      title: `Item number ${i}: a reasonably descriptive product title`,
      quantity: 1 + (i % 5),
      unitPrice: Math.round(999 + i * 37.5) / 100,
      discount: i % 7 === 0 ? 0.1 : 0,
      warehouse: ["AMS-1", "FRA-2", "DUB-1"][i % 3],
    })),
  };
}

function sized(build: (n: number) => unknown, bytes: number): unknown {
  let n = 1;
  while (JSON.stringify(build(n + 1)).length <= bytes) n++;
  return build(n);
}

const PAYLOADS: Record<string, unknown> = {
  "1KiB": sized((n) => ({ ...signup(1), recent: activity(n) }), 1024),
  "64KiB": sized(order, 64 * 1024),
};

const { values } = parseArgs({ args: Deno.args, options: { ms: { type: "string" } } });
const budgetMs = Number(values.ms ?? 300);

for (const [label, payload] of Object.entries(PAYLOADS)) {
  const jsonBytes = JSON.stringify(payload).length;
  for (const codecName of Object.keys(CODECS) as CodecName[]) {
    for (const compressionName of COMPRESSION_NAMES) {
      const options = {
        codec: CODECS[codecName],
        compression: COMPRESSIONS[compressionName],
        version: 1,
        threshold: 0,
      };
      const roundTrip = () => {
        const bytes = sealEnvelope(options.codec.encode(payload), options);
        openEnvelope(bytes, { trusted: true });
        return bytes.byteLength;
      };
      const size = roundTrip();
      for (let i = 0; i < 50; i++) roundTrip(); // warm up
      let ops = 0;
      const start = performance.now();
      while (performance.now() - start < budgetMs) {
        for (let i = 0; i < 10; i++) roundTrip();
        ops += 10;
      }
      const seconds = (performance.now() - start) / 1_000;
      console.log(JSON.stringify({
        bench: "codec",
        payload: label,
        jsonBytes,
        codec: codecName,
        compression: compressionName,
        encodedBytes: size,
        ratio: Number((size / jsonBytes).toFixed(3)),
        roundTripsPerSec: Math.round(ops / seconds),
        mbPerSec: Number((ops * jsonBytes / seconds / 1e6).toFixed(1)),
      }));
    }
  }
}
