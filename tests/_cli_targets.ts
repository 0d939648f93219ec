/**
 * Test harness: client commands run in-process (`main`) against a store through either target,
 * the engine (as commands reach Redis) or a gateway served on a free port (HTTP).
 *
 * @module
 */
import { createEngine, type Engine, type Store } from "../mod.ts";
import { createGateway } from "../gateway.ts";
import { EngineTarget } from "../src/cli/engine_target.ts";
import { HttpTarget } from "../src/cli/http_target.ts";
import type { CliIO } from "../src/cli/io.ts";
import { main } from "../src/cli/main.ts";
import type { Target } from "../src/cli/target.ts";
import { silentLogger } from "../src/job/logger.ts";
import { TOKENS } from "./_gateway_harness.ts";

/** What a case runs commands on, and the engine to look at the store with. */
export interface Setup {
  /** An engine on the store. */
  engine: Engine;
  /** A fresh target for one command. */
  target: () => Target;
  /** Closes everything, the store too. */
  close(): Promise<void>;
}

/** An engine on `store` with `functions`, logging nothing. */
export function engineWith(store: Store, functions: Parameters<Engine["register"]>): Engine {
  return createEngine({ store, logger: silentLogger, functions });
}

/** Commands reach `store` straight through an engine (the Redis target's way). */
export function directSetup(store: Store, engineOn: (store: Store) => Engine): Setup {
  const engine = engineOn(store);
  return {
    engine,
    target: () => new EngineTarget(engineOn(store), "store (test)"),
    close: async () => {
      await engine.close();
      await store.close();
    },
  };
}

/** Commands reach `store` through a gateway served on a free port. */
export function httpSetup(store: Store, engineOn: (store: Store) => Engine): Setup {
  const engine = engineOn(store);
  const gateway = createGateway(engine, { tokens: TOKENS, logger: silentLogger });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, gateway.app.fetch);
  const url = `http://127.0.0.1:${server.addr.port}`;
  return {
    engine,
    target: () => new HttpTarget(url, TOKENS.admin),
    close: async () => {
      await server.shutdown();
      gateway.close();
      await engine.close();
      await store.close();
    },
  };
}

/** What a command printed and returned. */
export interface Ran {
  /** Exit code. */
  code: number;
  /** Output lines. */
  out: string[];
  /** Error lines. */
  err: string[];
  /** The error lines as one text. */
  text: string;
}

/** Runs the command line `args` on `setup`'s target. */
export async function run(setup: Setup, args: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    progress: () => {},
    openTarget: () => Promise.resolve(setup.target()),
  };
  const code = await main(args, io);
  return { code, out, err, text: err.join("\n") };
}
