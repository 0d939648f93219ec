/**
 * Serving the gateway from a command (`start`, `gateway`): tokens from the environment, or an
 * open gateway on loopback only; the URL logged is the address bound.
 *
 * @module
 */
import type { Engine } from "../engine.ts";
import { createGateway } from "../gateway/app.ts";
import { serveGateway } from "../gateway/serve.ts";
import type { Logger } from "../job/logger.ts";
import type { ServeConfig } from "./config.ts";

/** A served gateway. */
export interface Served {
  /** Its URL. */
  url: string;
  /** Stops the server and the gateway (not the engine). */
  stop(): Promise<void>;
}

/** Serves `engine`'s gateway as `config` says; logs its URL and whether auth is on. */
export async function serve(engine: Engine, config: ServeConfig, logger: Logger): Promise<Served> {
  const open = !config.tokens.admin && !config.tokens.read;
  const gateway = createGateway(engine, {
    ...(open ? { open } : { tokens: config.tokens }),
    logger,
    exposeStacks: config.exposeStacks,
  });
  const listening = Promise.withResolvers<string>();
  let server: Deno.HttpServer;
  try {
    server = serveGateway(gateway, {
      port: config.port,
      ...(config.hostname ? { hostname: config.hostname } : {}),
      onListen: (url, note) => {
        logger.info(`dashboard and API at ${url}`, { url });
        logger.info(note);
        listening.resolve(url);
      },
    });
  } catch (error) {
    gateway.close();
    throw error;
  }
  const url = await listening.promise;
  return {
    url,
    stop: async () => {
      gateway.close();
      await server.shutdown();
    },
  };
}
