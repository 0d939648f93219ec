// The tables: queues (depth per lane and state, pause), nodes (utilization, jobs, heartbeat),
// jobs (filtered, paged) and dead letters (requeue). A job anywhere opens its detail on click.
import { api, query } from "./api.js";
import { $, bar, count, h, shortId, time } from "./dom.js";

const LANES = ["critical", "high", "normal", "low", "batch"];
const enc = encodeURIComponent;

/** Runs an action, shows a failure in the page's message line, then refreshes. */
export async function act(path, refresh) {
  try {
    await api(path, { method: "POST" });
    $("#message").textContent = "";
  } catch (error) {
    $("#message").textContent = error.message;
  }
  refresh();
}

/** Fills the queues table; returns the queues read. */
export async function renderQueues(refresh) {
  const { queues } = await api("/v1/queues");
  $("#queues tbody").replaceChildren(...queues.map((q) =>
    h(
      "tr",
      { "data-queue": q.queue },
      h(
        "td",
        { title: q.queue },
        q.queue,
        q.paused ? h("span", { class: "chip paused" }, "paused") : "",
        q.throttled
          ? h("span", {
            class: "chip throttled",
            title: "waiting jobs a rate or concurrency limit holds back",
          }, `${count(q.throttled)} held`)
          : "",
      ),
      LANES.map((lane) =>
        h("td", { class: "num", "data-lane": lane }, count(q.lanes[lane].waiting))
      ),
      ["active", "delayed", "blocked", "completed", "dead"].map((s) =>
        h("td", { class: `num state-${s}`, "data-state": s }, count(q.states[s]))
      ),
      h(
        "td",
        {},
        h("button", {
          type: "button",
          onclick: () =>
            act(`/v1/queues/${enc(q.queue)}/${q.paused ? "resume" : "pause"}`, refresh),
        }, q.paused ? "resume" : "pause"),
      ),
    )
  ));
  const select = $("#f-queue");
  const known = new Set([...select.options].map((o) => o.value));
  for (const q of queues) {
    if (!known.has(q.queue)) select.append(h("option", { value: q.queue }, q.queue));
  }
  $("#sum-dead").textContent = count(queues.reduce((a, q) => a + q.states.dead, 0));
  return queues;
}

/** Fills the nodes table. */
export async function renderNodes(open) {
  const { nodes } = await api("/v1/nodes");
  const now = Date.now();
  $("#nodes tbody").replaceChildren(...nodes.map((n) =>
    h(
      "tr",
      { "data-node": n.id },
      h(
        "td",
        { title: `${n.id} (${n.host}, pid ${n.pid})` },
        n.leader ? "★ " : "",
        n.id,
        n.currentJobs.length
          ? h("span", { class: "node-jobs" }, jobLinks(n.currentJobs, open))
          : "",
      ),
      h(
        "td",
        {},
        bar(n.utilization, `${Math.round(n.utilization * 100)}% · ${n.busy}/${n.concurrency}`),
      ),
      h(
        "td",
        { class: "num", title: "completed / failed since it started" },
        `${count(n.completed ?? 0)} / ${count(n.failed ?? 0)}`,
      ),
      h(
        "td",
        { class: "num", title: `latest heartbeat ${time(n.heartbeatAt)}` },
        `${Math.max(0, Math.round((now - n.heartbeatAt) / 1000))} s`,
      ),
      h("td", { class: n.alive ? "state-completed" : "state-dead" }, n.alive ? "alive" : "expired"),
    )
  ));
  $("#sum-nodes").textContent = String(nodes.filter((n) => n.alive).length);
}

function jobLinks(jobs, open) {
  return jobs.map((j) =>
    h("a", {
      href: "#",
      class: "chip job-link",
      "data-id": j.id,
      title: `${j.name} ${j.id}`,
      onclick: (e) => {
        e.preventDefault();
        open(j.id);
      },
    }, j.name)
  );
}

let jobsCursor = null;

/** Fills (or, with `more`, extends) the jobs table from the filters. */
export async function renderJobs(open, more = false) {
  const form = new FormData($("#filters"));
  const page = await api(
    `/v1/jobs${query({ ...Object.fromEntries(form), limit: 25, cursor: more ? jobsCursor : "" })}`,
  );
  const rows = page.jobs.map((j) =>
    h(
      "tr",
      { "data-id": j.id, onclick: () => open(j.id) },
      h("td", { title: j.id }, shortId(j.id)),
      h("td", { title: j.name }, j.name),
      h("td", { title: j.queue }, j.queue),
      h("td", {}, j.priority),
      h("td", { class: `state state-${j.state}` }, j.state),
      h("td", { class: "num" }, `${j.attempts}/${j.maxAttempts}`),
      h(
        "td",
        {},
        j.progress && j.state === "active"
          ? bar(j.progress.percent / 100, `${j.progress.percent}%`, "thin")
          : "",
      ),
      h("td", {}, time(j.enqueuedAt)),
    )
  );
  if (more) $("#jobs tbody").append(...rows);
  else $("#jobs tbody").replaceChildren(...rows);
  jobsCursor = page.nextCursor;
  $("#jobs-more").hidden = !jobsCursor;
}

/** Fills the dead letters table. */
export async function renderDead(open, refresh) {
  const { jobs } = await api("/v1/dead-letters?limit=100");
  $("#dead tbody").replaceChildren(...jobs.map((j) => {
    const error = j.error ? `${j.error.name}: ${j.error.message}` : "";
    return h(
      "tr",
      { "data-id": j.id, onclick: () => open(j.id), title: `died ${time(j.finishedAt)}` },
      h("td", { title: j.id }, shortId(j.id)),
      h("td", { title: j.name }, j.name),
      h("td", { class: "error-text", title: error }, error),
      h(
        "td",
        {},
        h("button", {
          type: "button",
          "data-action": "requeue",
          onclick: (e) => {
            e.stopPropagation();
            act(`/v1/dead-letters/${enc(j.id)}/requeue`, refresh);
          },
        }, "requeue"),
      ),
    );
  }));
}
