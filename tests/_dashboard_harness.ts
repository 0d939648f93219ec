/**
 * Test harness for the dashboard in headless Chromium: `Browser` drives `_browser_driver.ts`
 * (one JSON command per line), and `browserTest` registers a test over a served gateway, with a
 * worker in the gateway's engine or, `apart`, in another engine on the same store (as a gateway
 * process and worker processes share one Redis). Without Chromium the tests are skipped loudly,
 * or fail when `SLUICE_REQUIRE_CHROMIUM=1`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createEngine, type Engine, type WorkOptions } from "../mod.ts";
import { MemoryStore } from "../store.ts";
import { createGateway } from "../gateway.ts";
import { silentLogger } from "../src/job/logger.ts";
import { TOKENS } from "./_gateway_harness.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** The browser process: one JSON command per line in, one JSON answer per line out. */
export class Browser {
  #child: Deno.ChildProcess;
  #lines: ReadableStreamDefaultReader<string>;
  #buffer = "";
  #writer: WritableStreamDefaultWriter<Uint8Array>;

  /** Starts the driver. */
  constructor() {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./_browser_driver.ts", import.meta.url).pathname],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
      env: { CHROMIUM_PATH: CHROMIUM },
    }).spawn();
    this.#lines = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    this.#writer = this.#child.stdin.getWriter();
  }

  async #answer(): Promise<unknown> {
    while (!this.#buffer.includes("\n")) {
      const { value, done } = await this.#lines.read();
      if (done) throw new Error("the browser driver exited");
      this.#buffer += value;
    }
    const end = this.#buffer.indexOf("\n");
    const answer = JSON.parse(this.#buffer.slice(0, end));
    this.#buffer = this.#buffer.slice(end + 1);
    if (answer.pageErrors?.length) throw new Error(`page errors: ${answer.pageErrors.join("; ")}`);
    if (!answer.ok) throw new Error(answer.error);
    return answer.value;
  }

  /** Resolves once the browser runs. */
  ready(): Promise<unknown> {
    return this.#answer();
  }

  /** Sends one command (see `_browser_driver.ts`); resolves with its answer. */
  async send(command: Record<string, unknown>): Promise<unknown> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(command) + "\n"));
    return await this.#answer();
  }

  /** Closes the browser. */
  async close(): Promise<void> {
    await this.send({ op: "close" }).catch(() => {});
    await this.#writer.close().catch(() => {});
    await this.#lines.cancel();
    await this.#child.status;
  }
}

const present = await Deno.stat(CHROMIUM).then(() => true, () => false);
if (!present && Deno.env.get("SLUICE_REQUIRE_CHROMIUM") !== "1") {
  console.warn(
    `\n!!! SKIPPED the dashboard test: no Chromium at ${CHROMIUM} (apt-get install -y chromium) !!!\n`,
  );
}

// deno-lint-ignore no-explicit-any
type Json = any;

/** What a dashboard test gets: the engines, the served URL, the browser, an admin POST. */
export interface Page {
  /** The gateway's engine. */
  engine: Engine;
  /** The engine running the worker (the gateway's own unless `apart`). */
  workerEngine: Engine;
  /** The worker's node id. */
  workerId: string;
  /** The dashboard's URL. */
  url: string;
  /** The browser. */
  browser: Browser;
  /** POSTs `body` to the gateway as admin; resolves with the JSON answer. */
  api: (path: string, body: unknown, method?: string) => Promise<Json>;
}

/** How a test's cluster runs. */
export interface ClusterShape {
  /** Options of the one worker. */
  work: WorkOptions;
  /** Run the worker in another engine on the same store (default: in the gateway's). */
  apart?: boolean;
}

/** Registers a dashboard test in Chromium over engines of `functions`. */
export function browserTest(
  name: string,
  functions: Parameters<Engine["register"]>,
  shape: WorkOptions | ClusterShape,
  fn: (page: Page) => Promise<void>,
): void {
  const { work, apart = false } = "work" in shape ? shape : { work: shape };
  Deno.test({
    name: present
      ? `dashboard in Chromium: ${name}`
      : `dashboard in Chromium: SKIPPED (no ${CHROMIUM})`,
    ignore: !present && Deno.env.get("SLUICE_REQUIRE_CHROMIUM") !== "1",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      assert.ok(present, `SLUICE_REQUIRE_CHROMIUM=1 but there is no ${CHROMIUM}`);
      const store = new MemoryStore();
      const engine = createEngine({ store, logger: silentLogger, functions });
      const workerEngine = apart
        ? createEngine({ store, logger: silentLogger, functions })
        : engine;
      const gateway = createGateway(engine, { tokens: TOKENS, logger: silentLogger });
      const worker = workerEngine.work(work);
      const server = Deno.serve(
        { port: 0, hostname: "127.0.0.1", onListen: () => {} },
        gateway.app.fetch,
      );
      const url = `http://127.0.0.1:${server.addr.port}/`;
      const browser = new Browser();
      const api = async (path: string, body: unknown, method = "POST") => {
        const res = await fetch(new URL(path, url), {
          method,
          headers: { authorization: `Bearer ${TOKENS.admin}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        assert.ok(res.ok, await res.clone().text());
        return await res.json();
      };
      try {
        await fn({ engine, workerEngine, workerId: worker.id, url, browser, api });
      } finally {
        await browser.close();
        await server.shutdown();
        gateway.close();
        await worker.stop();
        if (apart) await workerEngine.close();
        await engine.close();
      }
    },
  });
}
