/**
 * The dashboard in headless Chromium (Debian's `chromium`, driven by playwright-core in
 * `_browser_driver.ts`): jobs enqueued through the API appear and complete on the page, a dead
 * job is requeued by clicking, and a screenshot is saved under /tmp.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createEngine, define, MemoryStore } from "../mod.ts";
import { createGateway } from "../gateway.ts";
import { silentLogger } from "../src/job/logger.ts";
import { until } from "./_engine_conformance.ts";
import { Add, TOKENS } from "./_gateway_harness.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const SCREENSHOT = "/tmp/sluice-dashboard.png";

/** The browser process: one JSON command per line in, one JSON answer per line out. */
class Browser {
  #child: Deno.ChildProcess;
  #lines: ReadableStreamDefaultReader<string>;
  #buffer = "";
  #writer: WritableStreamDefaultWriter<Uint8Array>;

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

  ready(): Promise<unknown> {
    return this.#answer();
  }

  async send(command: Record<string, unknown>): Promise<unknown> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(command) + "\n"));
    return await this.#answer();
  }

  async close(): Promise<void> {
    await this.send({ op: "close" }).catch(() => {});
    await this.#writer.close().catch(() => {});
    await this.#lines.cancel();
    await this.#child.status;
  }
}

let healed = false;
const Flaky = define(
  { name: "flaky", payload: z.object({ n: z.number() }), queue: "flaky", attempts: 1 },
  ({ n }) => {
    if (!healed) throw new Error("not healed yet");
    return { n };
  },
);

const present = await Deno.stat(CHROMIUM).then(() => true, () => false);
if (!present && Deno.env.get("SLUICE_REQUIRE_CHROMIUM") !== "1") {
  console.warn(
    `\n!!! SKIPPED the dashboard test: no Chromium at ${CHROMIUM} (apt-get install -y chromium) !!!\n`,
  );
}

Deno.test({
  name: present
    ? "dashboard in Chromium: jobs appear and complete, a dead job is requeued by a click"
    : `dashboard in Chromium: SKIPPED (no ${CHROMIUM})`,
  ignore: !present && Deno.env.get("SLUICE_REQUIRE_CHROMIUM") !== "1",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.ok(present, `SLUICE_REQUIRE_CHROMIUM=1 but there is no ${CHROMIUM}`);
    const engine = createEngine({
      store: new MemoryStore(),
      logger: silentLogger,
      functions: [Add, Flaky],
    });
    const gateway = createGateway(engine, { tokens: TOKENS, logger: silentLogger });
    const worker = engine.work({ concurrency: 4 });
    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen: () => {} },
      gateway.app.fetch,
    );
    const url = `http://127.0.0.1:${server.addr.port}/`;
    const browser = new Browser();
    const api = async (path: string, body: unknown) => {
      const res = await fetch(new URL(path, url), {
        method: "POST",
        headers: { authorization: `Bearer ${TOKENS.admin}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      assert.ok(res.ok, await res.clone().text());
      return await res.json();
    };
    try {
      await browser.ready();
      await browser.send({ op: "goto", url, token: TOKENS.admin });
      await browser.send({ op: "waitFor", selector: "#live", text: "live" });

      const { ids } = await api("v1/jobs/bulk", {
        jobs: Array.from({ length: 5 }, (_, i) => ({ job: "add", payload: { a: i, b: 10 } })),
      });
      for (const id of ids) {
        await browser.send({
          op: "waitFor",
          selector: `#jobs tr[data-id="${id}"] td.state`,
          text: "completed",
        });
      }
      await browser.send({
        op: "waitFor",
        selector: '#queues tr[data-queue="math"] td[data-state="completed"]',
        text: "5",
      });

      const { id: dead } = await api("v1/jobs", { job: "flaky", payload: { n: 7 } });
      await browser.send({ op: "waitFor", selector: `#dead tr[data-id="${dead}"]` });
      await browser.send({ op: "click", selector: `#jobs tr[data-id="${dead}"]` });
      await browser.send({ op: "waitFor", selector: "#detail", text: "not healed yet" });

      healed = true;
      await browser.send({
        op: "click",
        selector: `#dead tr[data-id="${dead}"] button[data-action="requeue"]`,
      });
      const job = await until(() => engine.getJob(dead), (j) => j?.state === "completed");
      assert.deepEqual(job!.result, { n: 7 });
      await browser.send({
        op: "waitFor",
        selector: `#jobs tr[data-id="${dead}"] td.state`,
        text: "completed",
      });
      assert.equal(await browser.send({ op: "screenshot", path: SCREENSHOT }), SCREENSHOT);
    } finally {
      await browser.close();
      await server.shutdown();
      gateway.close();
      await worker.stop();
      await engine.close();
    }
  },
});
