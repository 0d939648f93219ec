/**
 * The dashboard in headless Chromium (Debian's `chromium`, driven by playwright-core in
 * `_browser_driver.ts`): jobs enqueued through the API appear and complete on the page, a dead
 * job is requeued by clicking, and a screenshot is saved under /tmp; a payload and an error
 * holding HTML are shown as text, never parsed into elements.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { define } from "../mod.ts";
import { until } from "./_engine_conformance.ts";
import { Add, Greet, TOKENS } from "./_gateway_harness.ts";
import { browserTest } from "./_dashboard_harness.ts";

const SCREENSHOT = "/tmp/sluice-dashboard.png";

let healed = false;
const Flaky = define(
  { name: "flaky", payload: z.object({ n: z.number() }), queue: "flaky", attempts: 1 },
  ({ n }) => {
    if (!healed) throw new Error("not healed yet");
    return { n };
  },
);

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
    await browser.send({ op: "click", selector: "#detail-close" }); // the drawer covers the lists

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
      await browser.send({ op: "click", selector: "#detail-close" });
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

browserTest(
  "schedules show their next fire time in their zone; pause and trigger by a click",
  [Add],
  { concurrency: 2 },
  async ({ engine, url, browser, api }) => {
    await api("v1/schedules/nightly", {
      job: "add",
      pattern: "0 9 * * *",
      tz: "America/New_York",
      payload: { a: 1, b: 1 },
    }, "PUT");
    await browser.ready();
    await browser.send({ op: "goto", url, token: TOKENS.admin });
    const row = '#schedules tr[data-schedule="nightly"]';
    await browser.send({ op: "waitFor", selector: row, text: "09:00 America/New_York" });
    await browser.send({ op: "waitFor", selector: row, text: "add · 0 9 * * *" });
    await browser.send({ op: "click", selector: `${row} button:first-of-type` });
    await browser.send({ op: "waitFor", selector: `${row} .chip.paused`, text: "paused" });
    assert.equal((await engine.schedules.get("nightly"))?.paused, true);
    await browser.send({ op: "click", selector: `${row} button:last-of-type` });
    const completed = await until(
      () => engine.counts("math"),
      (c) => c.states.completed === 1,
    );
    assert.equal(completed.states.completed, 1);
  },
);
