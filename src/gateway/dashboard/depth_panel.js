// Queue depth over time: every refresh of the queues is a sample (kept for 30 minutes in this
// page), drawn as areas stacked per lane (waiting jobs) with active and delayed jobs, for all
// queues or the one chosen.
import { $, count, h, onWidth } from "./dom.js";
import { legend, PALETTE, stackedAreas } from "./charts.js";

const KEEP_MS = 30 * 60_000;
const LANES = ["critical", "high", "normal", "low", "batch"];
const LANE_COLORS = ["#c62828", "#e08a1e", "#2f6fde", "#1a9e77", "#8a93a6"];

/** The depth chart and its samples. */
export class DepthPanel {
  constructor() {
    this.samples = []; // { at, queues: [QueueCounts] }
    $("#depth-queue").addEventListener("change", () => this.watch.redraw());
    this.watch = onWidth($("#depth-chart"), (w) => this.draw(w));
  }

  /** Records the queues' counts as of now and redraws. */
  add(queues) {
    const at = Date.now();
    this.samples.push({ at, queues });
    this.samples = this.samples.filter((s) => s.at > at - KEEP_MS);
    const select = $("#depth-queue");
    const known = new Set([...select.options].map((o) => o.value));
    for (const q of queues) {
      if (!known.has(q.queue)) select.append(h("option", { value: q.queue }, q.queue));
    }
    this.watch.redraw();
  }

  draw(width) {
    const chosen = $("#depth-queue").value;
    const pick = (s) => s.queues.filter((q) => chosen === "" || q.queue === chosen);
    const sum = (s, read) => pick(s).reduce((a, q) => a + read(q), 0);
    const series = [
      ...LANES.map((lane, i) => ({
        name: `waiting ${lane}`,
        color: LANE_COLORS[i],
        values: this.samples.map((s) => sum(s, (q) => q.lanes[lane].waiting)),
      })),
      {
        name: "active",
        color: PALETTE[3],
        values: this.samples.map((s) => sum(s, (q) => q.states.active)),
      },
      {
        name: "delayed",
        color: "#c7ccd6",
        values: this.samples.map((s) => sum(s, (q) => q.states.delayed)),
      },
    ];
    const shown = series.filter((s) => s.values.some((v) => v > 0));
    const first = this.samples[0];
    const seconds = first ? Math.max(0, Math.round((Date.now() - first.at) / 1000)) : 0;
    $("#depth-chart").replaceChildren(
      this.samples.length < 2
        ? h("p", { class: "hint" }, "sampling the queues…")
        : stackedAreas(width, 170, {
          count: this.samples.length,
          series: shown.length ? shown : series.slice(2, 3),
          xText: [seconds >= 120 ? `-${Math.round(seconds / 60)} min` : `-${seconds} s`, "now"],
          yFormat: count,
        }),
      legend((shown.length ? shown : []).map(({ name, color }) => ({ name, color }))),
    );
    const latest = this.samples.at(-1);
    if (latest) {
      const waiting = latest.queues.reduce((a, q) => a + q.states.waiting, 0);
      const active = latest.queues.reduce((a, q) => a + q.states.active, 0);
      $("#sum-waiting").textContent = count(waiting);
      $("#sum-active").textContent = count(active);
    }
  }
}
