// A job's detail, in a drawer one click from every list: facts, progress, its dependency graph
// (state colours, the failed path highlighted), payload, result, error with its stack, attempt
// history and log lines; with cancel, retry and priority actions.
import { api } from "./api.js";
import { $, bar, duration, h, onWidth, time } from "./dom.js";
import { drawGraph } from "./graph.js";

const LANES = ["critical", "high", "normal", "low", "batch"];
const CANCELLABLE = new Set(["waiting", "delayed", "blocked", "active"]);
const MOVABLE = new Set(["waiting", "delayed", "blocked"]);
const enc = encodeURIComponent;
const json = (value) => h("pre", {}, JSON.stringify(value, null, 2));

/** The drawer; `changed()` is called after an action so the lists refresh. */
export class JobDetail {
  constructor(changed) {
    this.changed = changed;
    this.id = null;
    this.graphWatch = null;
    $("#detail-close").addEventListener("click", () => this.close());
    document.addEventListener("keydown", (e) => e.key === "Escape" && this.close());
  }

  /** Opens the drawer on job `id`. */
  async show(id) {
    this.id = id;
    $("#detail-panel").hidden = false;
    await this.refresh();
  }

  /** Re-reads the open job (if any). */
  async refresh() {
    const id = this.id;
    if (!id) return;
    const job = await api(`/v1/jobs/${enc(id)}`);
    const linked = job.prerequisites.length > 0 || job.dependents > 0;
    const [graph, logs] = await Promise.all([
      linked ? api(`/v1/jobs/${enc(id)}/graph?limit=200`) : null,
      api(`/v1/jobs/${enc(id)}/logs`).then((a) => a.logs),
    ]);
    if (this.id !== id) return;
    this.render(job, graph, logs);
  }

  close() {
    this.id = null;
    $("#detail-panel").hidden = true;
  }

  async act(path, body) {
    try {
      await api(path, { method: "POST", body });
      $("#detail-message").textContent = "";
    } catch (error) {
      $("#detail-message").textContent = error.message;
    }
    this.changed();
    await this.refresh();
  }

  actions(job) {
    const path = `/v1/jobs/${enc(job.id)}`;
    const out = [];
    if (CANCELLABLE.has(job.state)) {
      out.push(
        h("button", {
          type: "button",
          "data-action": "cancel",
          onclick: () => this.act(`${path}/cancel`),
        }, "cancel"),
      );
    }
    if (job.state === "dead") {
      out.push(
        h("button", {
          type: "button",
          "data-action": "retry",
          onclick: () => this.act(`${path}/retry`),
        }, "retry"),
      );
    }
    if (MOVABLE.has(job.state)) {
      const select = h(
        "select",
        { "aria-label": "priority" },
        LANES.map((l) => h("option", { value: l, selected: l === job.priority }, l)),
      );
      out.push(
        select,
        h("button", {
          type: "button",
          "data-action": "priority",
          onclick: () => this.act(`${path}/priority`, { priority: select.value }),
        }, "set priority"),
      );
    }
    return out;
  }

  render(job, graph, logs) {
    this.graphWatch?.stop();
    this.graphWatch = null;
    $("#detail-id").textContent = job.id;
    $("#detail-id").title = job.id;
    $("#detail-state").textContent = job.state;
    $("#detail-state").className = `chip state-${job.state}`;
    // redrawn only when they change, so a refresh never resets a choice being made
    const actionsKey = `${job.id} ${job.state} ${job.priority}`;
    if (actionsKey !== this.actionsKey) {
      this.actionsKey = actionsKey;
      $("#detail-actions").replaceChildren(...this.actions(job));
    }
    const lane = job.requestedPriority
      ? `${job.priority} (asked ${job.requestedPriority})`
      : job.priority;
    const facts = [
      ["function", job.name],
      ["queue", job.queue],
      ["lane", lane],
      [
        "attempts",
        `${job.attempts}/${job.maxAttempts}${job.stalls ? `, ${job.stalls} stalled` : ""}`,
      ],
      ["worker", job.worker ?? "–"],
      ["enqueued", time(job.enqueuedAt)],
      ["started", time(job.startedAt) || "–"],
      ["finished", time(job.finishedAt) || "–"],
    ];
    if (job.uniqueKey) facts.push(["unique key", job.uniqueKey]);
    if (job.throttledBy) facts.push(["held by limit", job.throttledBy]);
    const body = [
      h(
        "dl",
        { class: "facts" },
        facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", { title: v }, v)]),
      ),
    ];
    if (job.progress) {
      const label = `${job.progress.percent}%${
        job.progress.message ? ` ${job.progress.message}` : ""
      }`;
      body.push(
        h("h3", {}, "progress"),
        h("div", { id: "detail-progress" }, bar(job.progress.percent / 100, label)),
      );
    }
    if (graph) body.push(...this.graphSection(graph));
    body.push(h("h3", {}, "payload"), json(job.payload));
    if (job.state === "completed") body.push(h("h3", {}, "result"), json(job.result));
    if (job.error) {
      body.push(
        h("h3", {}, "error"),
        h("p", { class: "error-text" }, `${job.error.name}: ${job.error.message}`),
        job.error.stack ? h("pre", { class: "stack" }, job.error.stack) : "",
      );
    }
    body.push(h("h3", {}, `attempts (${job.history.length})`), attemptsTable(job.history));
    body.push(h("h3", {}, `logs (${logs.length})`), logList(logs));
    $("#detail").replaceChildren(...body);
    this.graphWatch?.redraw();
  }

  graphSection(graph) {
    const box = h("div", { id: "detail-graph" });
    this.graphWatch = onWidth(
      box,
      (width) => box.replaceChildren(drawGraph(graph, width, (id) => this.show(id))),
    );
    const more = graph.nextCursor ? ` (first ${graph.nodes.length} jobs)` : "";
    return [
      h("h3", {}, `dependency graph${more}`),
      box,
      h("p", { class: "hint" }, "red edges: the failed path · click a job to open it"),
    ];
  }
}

function attemptsTable(history) {
  if (history.length === 0) return h("p", { class: "hint" }, "no attempt yet");
  return h(
    "table",
    { id: "attempts", class: "fixed" },
    h(
      "thead",
      {},
      h("tr", {}, ["#", "outcome", "worker", "ran", "error"].map((t) => h("th", {}, t))),
    ),
    h(
      "tbody",
      {},
      history.map((a) =>
        h(
          "tr",
          {},
          h("td", {}, `#${a.attempt}`),
          h("td", {
            class: `state-${
              a.outcome === "completed" ? "completed" : a.outcome === "failed" ? "failed" : "other"
            }`,
          }, a.outcome),
          h("td", { title: a.worker ?? "" }, a.worker ?? ""),
          h("td", {}, a.startedAt ? duration(a.finishedAt - a.startedAt) : "–"),
          h(
            "td",
            { title: a.error ? `${a.error.name}: ${a.error.message}` : "" },
            a.error ? `${a.error.name}: ${a.error.message}` : "",
          ),
        )
      ),
    ),
  );
}

function logList(logs) {
  if (logs.length === 0) return h("p", { class: "hint" }, "no log lines");
  return h(
    "ol",
    { id: "detail-logs", class: "logs" },
    logs.map((l) =>
      h(
        "li",
        { class: `log-${l.level}` },
        h("span", { class: "log-time" }, time(l.at)),
        h("span", { class: "log-level" }, l.level),
        h(
          "span",
          { class: "log-message" },
          l.message,
          l.fields ? ` ${JSON.stringify(l.fields)}` : "",
        ),
      )
    ),
  );
}
