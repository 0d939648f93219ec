/**
 * The dashboard in headless Chromium (Debian's `chromium`, driven by playwright-core in
 * `_browser_driver.ts`): jobs enqueued through the API appear and complete on the page, a dead
 * job is requeued by clicking, and a screenshot is saved under /tmp; a payload and an error
 * holding HTML are shown as text, never parsed into elements.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createEngine, define, type Engine, MemoryStore, type WorkOptions } from "../mod.ts";
import { createGateway } from "../gateway.ts";
import { silentLogger } from "../src/job/logger.ts";
import { until } from "./_engine_conformance.ts";
import { Add, Greet, TOKENS } from "./_gateway_harness.ts";

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

/** What a dashboard test gets: the engine, the served URL, the browser, an admin POST. */
interface Page {
  engine: Engine;
  url: string;
  browser: Browser;
  api: (path: string, body: unknown) => Promise<Json>;
}

// deno-lint-ignore no-explicit-any
type Json = any;

/** Registers a dashboard test in Chromium over an engine of `functions` with a worker. */
function browserTest(
  name: string,
  functions: Parameters<Engine["register"]>,
  work: WorkOptions,
  fn: (page: Page) => Promise<void>,
): void {
  Deno.test({
    name: present
      ? `dashboard in Chromium: ${name}`
      : `dashboard in Chromium: SKIPPED (no ${CHROMIUM})`,
    ignore: !present && Deno.env.get("SLUICE_REQUIRE_CHROMIUM") !== "1",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      assert.ok(present, `SLUICE_REQUIRE_CHROMIUM=1 but there is no ${CHROMIUM}`);
      const engine = createEngine({ store: new MemoryStore(), logger: silentLogger, functions });
      const gateway = createGateway(engine, { tokens: TOKENS, logger: silentLogger });
      const worker = engine.work(work);
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
        await fn({ engine, url, browser, api });
      } finally {
        await browser.close();
        await server.shutdown();
        gateway.close();
        await worker.stop();
        await engine.close();
      }
    },
  });
}

browserTest(
  "jobs appear and complete, a dead job is requeued by a click",
  [Add, Flaky],
  { concurrency: 4 },
  async ({ engine, url, browser, api }) => {
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
  },
);

const HTML = '<img src=x onerror="alert(1)"><script>alert(2)</script><b id="injected">bold</b>';
const Html = define(
  { name: "html", payload: z.object({ html: z.string() }), queue: "html", attempts: 1 },
  ({ html }) => {
    throw new Error(html);
  },
);

browserTest(
  "a payload and an error holding HTML are shown as text",
  [Greet, Html],
  { concurrency: 2, queues: ["html"] },
  async ({ engine, url, browser }) => {
    const greet = await engine.enqueue(Greet, { to: HTML }); // waits: no worker serves math
    const html = await engine.enqueue(Html, { html: HTML });
    await until(() => engine.getJob(html), (j) => j?.state === "dead");
    await browser.ready();
    await browser.send({ op: "goto", url, token: TOKENS.admin });
    await browser.send({ op: "waitFor", selector: `#dead tr[data-id="${html}"]` });
    for (const id of [greet, html]) {
      await browser.send({ op: "click", selector: `#jobs tr[data-id="${id}"]` });
      await browser.send({ op: "waitFor", selector: "#detail-id", text: id });
      await browser.send({ op: "waitFor", selector: "#detail pre", text: "<img src=x" });
      assert.match(String(await browser.send({ op: "text", selector: "#detail" })), /<script>/);
    }
    for (const selector of ["img", "script:not([src])", "#injected", "b"]) {
      assert.equal(await browser.send({ op: "count", selector }), 0, selector);
    }
    assert.match(
      String(await browser.send({ op: "text", selector: `#dead tr[data-id="${html}"]` })),
      /Error: <img src=x onerror="alert\(1\)">/,
    );
  },
);
