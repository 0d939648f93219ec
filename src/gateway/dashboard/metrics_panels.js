// The panels drawn from the cluster's metrics (`GET /v1/metrics`, aggregated by the store from
// every node): throughput per minute stacked by queue or function, p50/p95/p99 run or wait
// time per minute, and a table per queue or function with a trend line and its percentiles.
import { api } from "./api.js";
import { $, count, duration, h, onWidth } from "./dom.js";
import { legend, lines, PALETTE, sparkline, stackedBars } from "./charts.js";
import { merge, quantile, slots, topKeys } from "./stats.js";

const TOP = 6;
const QUANTILES = [["p50", 0.5], ["p95", 0.95], ["p99", 0.99]];

function ago(minutes) {
  return minutes >= 60 ? `-${Math.round(minutes / 60)} h` : `-${minutes} min`;
}

/** Throughput, latency and the per-group table. */
export class MetricsPanels {
  constructor() {
    this.metrics = null;
    for (const id of ["#range", "#tp-by", "#lat-scope", "#lat-kind", "#stats-by"]) {
      $(id).addEventListener("change", () => (id === "#range" ? this.load() : this.draw()));
    }
    this.watch = [
      onWidth($("#throughput-chart"), (w) => this.drawThroughput(w)),
      onWidth($("#latency-chart"), (w) => this.drawLatency(w)),
    ];
  }

  get span() {
    return Number($("#range").value);
  }

  /** Reads the metrics of the chosen range, then draws. */
  async load() {
    this.metrics = await api(`/v1/metrics?minutes=${this.span}`);
    this.fillScopes();
    this.draw();
  }

  draw() {
    for (const w of this.watch) w.redraw();
    this.drawStats();
    this.drawSummary();
  }

  fillScopes() {
    const select = $("#lat-scope");
    const known = new Set([...select.options].map((o) => o.value));
    for (const g of this.metrics.total) {
      for (const value of [`queue:${g.queue}`, `function:${g.name}`]) {
        if (!known.has(value)) {
          known.add(value);
          select.append(h("option", { value }, value.replace(":", ": ")));
        }
      }
    }
  }

  columns(by, keep) {
    const span = this.span;
    const step = Math.max(1, Math.ceil(span / 60));
    return { step, slots: slots(this.metrics, span, step, by, keep) };
  }

  drawThroughput(width) {
    if (!this.metrics) return;
    const by = $("#tp-by").value;
    const { step, slots: cols } = this.columns(by);
    const keys = topKeys(merge(this.metrics.minutes.flatMap((m) => m.groups), by), TOP);
    const hasOther = cols.some((c) => [...c.merged.keys()].some((k) => !keys.includes(k)));
    const names = hasOther ? [...keys, "other"] : keys;
    const colors = names.map((_, i) => (i < keys.length ? PALETTE[i] : "#9aa3b5"));
    const columns = cols.map((c) => {
      const parts = names.map(() => 0);
      let marks = 0;
      for (const m of c.merged.values()) {
        const at = keys.indexOf(m.key);
        parts[at >= 0 ? at : names.length - 1] += m.completed / step;
        marks += (m.failed + m.dead) / step;
      }
      return { label: new Date(c.minute * 60_000).toLocaleTimeString(), parts, marks };
    });
    $("#throughput-chart").replaceChildren(
      stackedBars(width, 170, {
        columns,
        keys: names,
        colors,
        xText: [ago(this.span), ago(Math.round(this.span / 2)), "now"],
        yFormat: (n) => `${count(n)}/min`,
        markName: "failed and dead attempts per minute",
      }),
      legend([
        ...names.map((name, i) => ({ name, color: colors[i] })),
        { name: "failed + dead", color: "#c62828", dashed: true },
      ]),
    );
  }

  drawLatency(width) {
    if (!this.metrics) return;
    const scope = $("#lat-scope").value;
    const kind = $("#lat-kind").value;
    const [what, name] = scope === "all" ? ["all", ""] : scope.split(/:(.*)/s);
    const keep = (g) => what === "all" || (what === "queue" ? g.queue === name : g.name === name);
    const { slots: cols } = this.columns("all", keep);
    const edges = this.metrics.bucketEdgesMs;
    const series = QUANTILES.map(([label, p], i) => ({
      name: `${kind} ${label}`,
      color: PALETTE[i],
      values: cols.map((c) => quantile(c.merged.get("all")?.[kind], edges, p)),
    }));
    const empty = series.every((s) => s.values.every((v) => v === null));
    $("#latency-chart").replaceChildren(
      empty ? h("p", { class: "hint" }, "no finished attempts in this range") : lines(width, 170, {
        count: cols.length,
        series,
        log: true,
        xText: [ago(this.span), ago(Math.round(this.span / 2)), "now"],
        yFormat: duration,
      }),
      legend(series),
    );
  }

  drawStats() {
    if (!this.metrics) return;
    const by = $("#stats-by").value;
    const edges = this.metrics.bucketEdgesMs;
    const all = merge(this.metrics.minutes.flatMap((m) => m.groups), by);
    const { slots: cols } = this.columns(by);
    const pct = (h) => QUANTILES.map(([, p]) => duration(quantile(h, edges, p))).join(" / ");
    const rows = [...all.values()].sort((a, b) => a.key.localeCompare(b.key)).map((m) =>
      h(
        "tr",
        { "data-key": m.key },
        h("td", { title: m.key }, m.key),
        h("td", {}, sparkline(cols.map((c) => c.merged.get(m.key)?.completed ?? 0))),
        h("td", { class: "num" }, count(m.completed)),
        h("td", { class: "num" }, count(m.failed)),
        h("td", { class: "num" }, count(m.dead)),
        h("td", { title: `wait p50 / p95 / p99` }, pct(m.wait)),
        h("td", { title: `run p50 / p95 / p99` }, pct(m.run)),
      )
    );
    $("#stats tbody").replaceChildren(...rows);
    $("#stats-empty").hidden = rows.length > 0;
  }

  drawSummary() {
    const now = Math.floor(this.metrics.now / 60_000);
    const last = this.metrics.minutes.filter((m) => m.minute >= now - 1);
    const recent = merge(last.flatMap((m) => m.groups), "all").get("all");
    const perMin = recent ? recent.completed / Math.max(1, last.length) : 0;
    $("#sum-throughput").textContent = `${count(perMin)}/min`;
  }
}
