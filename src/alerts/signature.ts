/**
 * Webhook signatures: HMAC-SHA256 of the raw request body with a shared secret (WebCrypto), sent
 * as `X-Sluice-Signature: sha256=<hex>`, as GitHub does. Receivers check it with
 * `verifyWebhookSignature` (or any HMAC library) before trusting a request.
 *
 * @module
 */

/** The header carrying the signature. */
export const SIGNATURE_HEADER = "X-Sluice-Signature";

const encoder = new TextEncoder();

/** An HMAC-SHA256 key for `secret`, usable to sign and verify. */
export function hmacKey(secret: string): Promise<CryptoKey> {
  if (typeof secret !== "string" || secret.length === 0) {
    throw new TypeError("webhook: secret must be a non-empty string");
  }
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/** The signature header value of `body`: `sha256=<hex of HMAC-SHA256(secret, body)>`. */
export async function signBody(key: CryptoKey, body: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
  return `sha256=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * True when `header` (the `X-Sluice-Signature` value) is the signature of the raw `body` with
 * `secret`. Compares in constant time (WebCrypto `verify`).
 */
export async function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string | null,
): Promise<boolean> {
  const hex = /^sha256=([0-9a-f]{64})$/.exec(header ?? "")?.[1];
  if (!hex) return false;
  const mac = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  return await crypto.subtle.verify("HMAC", await hmacKey(secret), mac, encoder.encode(body));
}
