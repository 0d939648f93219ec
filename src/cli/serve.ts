/**
 * Serving the gateway from a command, and waiting for SIGINT/SIGTERM (a second signal exits at
 * once): shared by `start` and `gateway`.
 *
 * @module
 */
import type { Engine } from "../engine.ts";
import { createGateway } from "../gateway/app.ts";
import { serveGateway } from "../gateway/serve.ts";
import type { ServeConfig } from "./config.ts";
import type { CliIO } from "./io.ts";

/** A served gateway. */
export interface Served {
  /** Its URL. */
  url: string;
  /** Stops the server and the gateway (not the engine). */
  stop(): Promise<void>;
}

/** Serves `engine`'s gateway as `config` says; prints its URL and whether auth is on. */
export async function serve(engine: Engine, config: ServeConfig, io: CliIO): Promise<Served> {
  const open = !config.tokens.admin && !config.tokens.read;
  const gateway = createGateway(engine, open ? { open } : { tokens: config.tokens });
  const listening = Promise.withResolvers<string>();
  const server = serveGateway(gateway, {
    port: config.port,
    ...(config.hostname ? { hostname: config.hostname } : {}),
    onListen: (url, note) => {
      io.out(`sluice: dashboard and API at ${url}`);
      io.out(`sluice: ${note}`);
      listening.resolve(url);
    },
  });
  const url = await listening.promise;
  return {
    url,
    stop: async () => {
      gateway.close();
      await server.shutdown();
    },
  };
}

/** Resolves at the first SIGINT or SIGTERM; a second one exits the process at once. */
export function untilSignalled(io: CliIO): Promise<void> {
  const stopped = Promise.withResolvers<void>();
  let stopping = false;
  const signals = ["SIGINT", "SIGTERM"] as const;
  const onSignal = () => {
    if (stopping) Deno.exit(130);
    stopping = true;
    io.err("sluice: stopping (again to exit at once)");
    stopped.resolve();
  };
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  return stopped.promise.finally(() => {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  });
}
