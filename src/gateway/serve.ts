/**
 * Serving a gateway over HTTP. An open gateway (no token) listens on loopback only, refuses a
 * public address, and says so. The URL it reports is the address actually bound.
 *
 * @module
 */
import type { Gateway } from "./app.ts";
import { LOOPBACK_HOSTS } from "./guards.ts";

/** Options of `serveGateway`. */
export interface ServeOptions {
  /** Port (0: any free one). */
  port: number;
  /** Address; default `0.0.0.0` with tokens, `127.0.0.1` without (the only choice then). */
  hostname?: string;
  /** Told the URL once listening (default: printed to the console). */
  onListen?: (url: string, note: string) => void;
  /** Stops the server when aborted. */
  signal?: AbortSignal;
}

/** `http://host:port/` of a bound address (IPv6 in brackets). */
export function listenUrl(hostname: string, port: number): string {
  const host = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}/`;
}

/**
 * Starts an HTTP server for `gateway`; returns it (`await server.shutdown()` stops it). Throws
 * when an open gateway is asked to listen on a public address.
 */
export function serveGateway(gateway: Gateway, options: ServeOptions): Deno.HttpServer {
  const open = !gateway.authEnabled;
  const hostname = options.hostname ?? (open ? "127.0.0.1" : "0.0.0.0");
  if (open && !LOOPBACK_HOSTS.includes(hostname) && hostname !== "::1") {
    throw new TypeError(
      `refusing to serve on ${hostname} without a token: set SLUICE_ADMIN_TOKEN (and ` +
        "SLUICE_READ_TOKEN) to listen on a public address",
    );
  }
  const note = open
    ? "no SLUICE_ADMIN_TOKEN or SLUICE_READ_TOKEN set: the API is open, listening on loopback only"
    : "bearer tokens required (read: GET endpoints, admin: the rest)";
  const onListen = options.onListen ?? ((url: string, text: string) => {
    console.log(`sluice: gateway and dashboard at ${url} (${text})`);
  });
  return Deno.serve({
    port: options.port,
    hostname,
    ...(options.signal ? { signal: options.signal } : {}),
    onListen: (addr) => onListen(listenUrl(addr.hostname, addr.port), note),
  }, gateway.app.fetch);
}
