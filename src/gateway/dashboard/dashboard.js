// The Sluice dashboard: the cluster's throughput, latency and depth over time, nodes, queues,
// jobs, dead letters and cron schedules, each job's detail one click away; refreshed from the event stream
// (every process's events) and on a timer. Every value is put on the page as text.
import { follow, setToken } from "./api.js";
import { $, h } from "./dom.js";
import { DepthPanel } from "./depth_panel.js";
import { JobDetail } from "./detail.js";
import { renderDead, renderJobs, renderNodes, renderQueues } from "./lists.js";
import { MetricsPanels } from "./metrics_panels.js";
import { renderSchedules } from "./schedules_panel.js";

const LANES = ["critical", "high", "normal", "low", "batch"];
const STATES = ["waiting", "delayed", "blocked", "active", "completed", "dead", "cancelled"];
const METRICS_EVERY_MS = 10_000;

const detail = new JobDetail(() => refresh());
const open = (id) => detail.show(id).catch(report);
const depth = new DepthPanel();
const charts = new MetricsPanels();

function report(error) {
  if (error?.status === 401) $("#token-form").hidden = false;
  else console.error(error);
}

let pending = null;
/** Re-reads the lists on screen, at most every 250 ms. */
function refresh() {
  pending ??= setTimeout(async () => {
    pending = null;
    try {
      const [queues] = await Promise.all([
        renderQueues(refresh),
        renderNodes(open),
        renderJobs(open),
        renderDead(open, refresh),
        renderSchedules(refresh),
      ]);
      depth.add(queues);
      await detail.refresh();
    } catch (error) {
      report(error);
    }
  }, 250);
}

let lastMetrics = 0;
/** Re-reads the metrics, at most every few seconds unless `now`. */
function reloadMetrics(now = false) {
  if (!now && Date.now() - lastMetrics < METRICS_EVERY_MS / 2) return;
  lastMetrics = Date.now();
  charts.load().catch(report);
}

function init() {
  for (const s of STATES) $("#f-state").append(h("option", { value: s }, s));
  for (const l of LANES) $("#f-lane").append(h("option", { value: l }, l));
  $("#filters").addEventListener("input", () => renderJobs(open).catch(report));
  $("#jobs-more").addEventListener("click", () => renderJobs(open, true).catch(report));
  $("#token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setToken($("#token").value);
    location.reload();
  });
  follow((type) => {
    if (type === "ready") return;
    refresh();
    if (type === "completed" || type === "failed") reloadMetrics();
  }, (live, error) => {
    $("#live").textContent = live ? "live" : "offline";
    $("#live").classList.toggle("on", live);
    if (error?.status === 401) $("#token-form").hidden = false;
  });
  setInterval(refresh, 5_000);
  setInterval(() => reloadMetrics(true), METRICS_EVERY_MS);
  refresh();
  reloadMetrics(true);
}

init();
