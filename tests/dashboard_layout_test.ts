/**
 * The cluster dashboard in Chromium, over a gateway whose engine runs no worker (the worker runs
 * in another engine on the same store): its charts draw from the store's metrics, it fits
 * 1400x1000 and 1024x768 with nothing scrolling sideways and no column cut (screenshots under
 * /tmp), a dead job's detail opens with one click and draws its dependency graph with the failed
 * path highlighted, and the detail's priority, cancel and retry actions work.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { define } from "../mod.ts";
import { until } from "./_engine_conformance.ts";
import { browserTest, type Page } from "./_dashboard_harness.ts";

const SIZES = [[1400, 1000], [1024, 768]] as const;

const Step = define(
  { name: "resize-image", payload: z.object({ n: z.number() }), queue: "steps" },
  async ({ n }, ctx) => {
    ctx.log("resizing", { n });
    await ctx.progress(50, "half way");
    await new Promise((r) => setTimeout(r, 2 + (n % 5) * 3));
    return { n };
  },
);
const Album = define(
  { name: "build-album", payload: z.object({}), queue: "steps", attempts: 1 },
  () => {
    throw new Error("the album service is down");
  },
);
const Mail = define(
  { name: "send-album-email", payload: z.object({ to: z.string() }), queue: "steps" },
  ({ to }) => `sent to ${to}`,
);
/** Never served in this test (no worker takes queue `later`): stays waiting. */
const Later = define(
  { name: "later", payload: z.object({}), queue: "later" },
  () => null,
);

// deno-lint-ignore no-explicit-any
type Json = any;

/** Checks that nothing on the page scrolls sideways or cuts a column; returns the figures. */
async function assertFits(page: Page, label: string): Promise<Json> {
  const measured = await page.browser.send({ op: "overflow" }) as Json;
  console.log(`${label}: ${JSON.stringify(measured)}`);
  assert.ok(measured.document <= measured.viewport, `${label}: the page scrolls sideways`);
  assert.deepEqual(measured.scrollers, [], `${label}: elements that scroll sideways`);
  assert.deepEqual(measured.panels, [], `${label}: panels wider than their box`);
  assert.deepEqual(measured.cutColumns, [], `${label}: columns cut`);
  return measured;
}

browserTest(
  "the cluster's charts fit 1400x1000 and 1024x768; one click opens a job with its graph",
  [Step, Album, Mail, Later],
  { work: { concurrency: 4, queues: ["steps"] }, apart: true },
  async (page) => {
    const { engine, browser, url, api, workerId } = page;
    const { ids } = await api("v1/jobs/bulk", {
      jobs: [
        ...Array.from(
          { length: 4 },
          (_, n) => ({ job: "resize-image", payload: { n }, ref: `r${n}` }),
        ),
        {
          job: "build-album",
          payload: {},
          ref: "album",
          options: { dependsOn: ["r0", "r1", "r2", "r3"] },
        },
        {
          job: "send-album-email",
          payload: { to: "ada" },
          ref: "mail",
          options: { dependsOn: ["album"] },
        },
        { job: "send-album-email", payload: { to: "bob" }, options: { dependsOn: ["mail"] } },
        ...Array.from({ length: 40 }, (_, i) => ({ job: "resize-image", payload: { n: i + 10 } })),
      ],
    });
    const [album, mail, mail2] = [ids[4], ids[5], ids[6]];
    const later = await engine.enqueue(Later, {});
    await until(() => engine.getJob(mail2), (j) => j?.state === "dead", { timeoutMs: 20_000 });

    await browser.ready();
    const [width, height] = SIZES[0];
    await browser.send({ op: "viewport", width, height });
    await browser.send({ op: "goto", url, token: "admin-token-0123456789" });
    await browser.send({ op: "waitFor", selector: "#live", text: "live" });
    await browser.send({ op: "waitFor", selector: "#throughput-chart svg rect.bar-part" });
    await browser.send({ op: "waitFor", selector: "#latency-chart svg circle" });
    await browser.send({ op: "waitFor", selector: "#stats tr[data-key='resize-image']" });
    await browser.send({ op: "waitFor", selector: `#nodes tr[data-node="${workerId}"]` });
    await browser.send({ op: "waitFor", selector: "#depth-chart svg polygon" });
    await browser.send({ op: "waitFor", selector: `#dead tr[data-id="${mail}"]` });
    await assertFits(page, `${width}x${height}`);
    const first = `/tmp/sluice-dashboard-${width}x${height}.png`;
    assert.equal(await browser.send({ op: "screenshot", path: first }), first);

    // one click on a dead dependent: its detail, with the graph and the failed path
    await browser.send({ op: "click", selector: `#dead tr[data-id="${mail}"]` });
    await browser.send({ op: "waitFor", selector: "#detail-id", text: mail });
    await browser.send({ op: "waitFor", selector: "#detail-graph svg.graph g.node" });
    assert.equal(await browser.send({ op: "count", selector: "#detail-graph g.node" }), 7);
    assert.equal(
      await browser.send({ op: "count", selector: `#detail-graph g.node.root[data-id="${mail}"]` }),
      1,
    );
    assert.equal(await browser.send({ op: "count", selector: "#detail-graph g.node.failed" }), 3);
    const failedEdges = [
      `path.failed-path[data-from="${album}"][data-to="${mail}"]`,
      `path.failed-path[data-from="${mail}"][data-to="${mail2}"]`,
    ];
    for (const edge of failedEdges) {
      assert.equal(await browser.send({ op: "count", selector: `#detail-graph ${edge}` }), 1, edge);
    }
    assert.equal(
      await browser.send({ op: "count", selector: "#detail-graph path.failed-path" }),
      2,
    );
    assert.equal(await browser.send({ op: "count", selector: "#detail-graph path.edge" }), 6);
    await browser.send({ op: "waitFor", selector: "#detail", text: "PrerequisiteFailedError" });

    const [small, smallHeight] = SIZES[1];
    await browser.send({ op: "viewport", width: small, height: smallHeight });
    await browser.send({ op: "waitFor", selector: "#detail-graph svg.graph g.node" });
    await assertFits(page, `${small}x${smallHeight} with the detail open`);
    const graphWidth = await browser.send({ op: "width", selector: "#detail-graph svg.graph" });
    const drawerWidth = await browser.send({ op: "width", selector: "#detail-panel" });
    assert.ok(Number(graphWidth) <= Number(drawerWidth), "the graph fits its drawer");
    const second = `/tmp/sluice-dashboard-${small}x${smallHeight}.png`;
    assert.equal(await browser.send({ op: "screenshot", path: second }), second);

    // the detail's actions: a click in the graph opens the album; retry it; priority; cancel
    await browser.send({ op: "click", selector: `#detail-graph g.node[data-id="${album}"]` });
    await browser.send({ op: "waitFor", selector: "#detail-id", text: album });
    await browser.send({ op: "click", selector: '#detail-actions button[data-action="retry"]' });
    await until(() => engine.getJob(album), (j) => j?.state === "dead" && j.history.length === 2);

    await browser.send({ op: "click", selector: "#detail-close" }); // the drawer covers the lists
    await browser.send({ op: "select", selector: "#f-queue", value: "later" });
    await browser.send({ op: "click", selector: `#jobs tr[data-id="${later}"]` });
    await browser.send({ op: "waitFor", selector: "#detail-id", text: later });
    await browser.send({ op: "select", selector: "#detail-actions select", value: "critical" });
    await browser.send({ op: "click", selector: '#detail-actions button[data-action="priority"]' });
    await until(() => engine.getJob(later), (j) => j?.priority === "critical");
    await browser.send({ op: "click", selector: '#detail-actions button[data-action="cancel"]' });
    await until(() => engine.getJob(later), (j) => j?.state === "cancelled");
    await browser.send({ op: "waitFor", selector: "#detail-state", text: "cancelled" });
  },
);
