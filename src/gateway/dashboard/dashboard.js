// The Sluice dashboard: queues with lane depths and throughput, nodes, a filtered jobs table,
// job detail, dead letters with requeue; refreshed live from the event stream.
import { api, follow, query, setToken } from "./api.js";
import { ThroughputChart } from "./chart.js";

const LANES = ["critical", "high", "normal", "low", "batch"];
const STATES = ["waiting", "delayed", "blocked", "active", "completed", "dead", "cancelled"];
const $ = (selector) => document.querySelector(selector);

/** An element with attributes and children (strings become text: nothing is parsed as HTML). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v);
  }
  el.append(...children.flat().map((c) => (c instanceof Node ? c : String(c ?? ""))));
  return el;
}

const time = (ms) => (ms ? new Date(ms).toLocaleTimeString() : "");
const json = (value) => h("pre", {}, JSON.stringify(value, null, 2));
const fill = (tbody, rows) => tbody.replaceChildren(...rows);
let selected = null;

async function act(path, method = "POST", body) {
  try {
    await api(path, { method, body });
  } catch (error) {
    alert(error.message);
  }
  refresh();
}

async function renderQueues() {
  const { queues } = await api("/v1/queues");
  fill(
    $("#queues tbody"),
    queues.map((q) =>
      h(
        "tr",
        { "data-queue": q.queue },
        h("td", {}, q.queue, q.paused ? " (paused)" : ""),
        LANES.map((lane) => h("td", { "data-lane": lane }, q.lanes[lane].waiting)),
        ["active", "delayed", "completed", "dead"].map((s) =>
          h("td", { "data-state": s }, q.states[s])
        ),
        h(
          "td",
          {},
          h("button", {
            type: "button",
            onclick: () =>
              act(`/v1/queues/${encodeURIComponent(q.queue)}/${q.paused ? "resume" : "pause"}`),
          }, q.paused ? "resume" : "pause"),
        ),
      )
    ),
  );
  const select = $("#f-queue");
  const known = new Set([...select.options].map((o) => o.value));
  for (const q of queues) {
    if (!known.has(q.queue)) select.append(h("option", { value: q.queue }, q.queue));
  }
}

async function renderNodes() {
  const { nodes } = await api("/v1/nodes");
  fill(
    $("#nodes tbody"),
    nodes.map((n) =>
      h(
        "tr",
        { "data-node": n.id },
        h("td", {}, n.leader ? "★ " : "", n.id),
        h(
          "td",
          {},
          h(
            "span",
            { class: "bar" },
            h("span", { style: `width:${Math.round(n.utilization * 100)}%` }),
          ),
          ` ${Math.round(n.utilization * 100)}%`,
        ),
        h("td", {}, `${n.busy}/${n.concurrency}`),
        h("td", {}, n.currentJobs.map((j) => `${j.name} ${j.id}`).join(", ")),
        h("td", {}, n.alive ? "yes" : "expired"),
      )
    ),
  );
}

let jobsCursor = null;
async function renderJobs(more = false) {
  const form = new FormData($("#filters"));
  const page = await api(
    `/v1/jobs${query({ ...Object.fromEntries(form), limit: 50, cursor: more ? jobsCursor : "" })}`,
  );
  const rows = page.jobs.map((j) =>
    h(
      "tr",
      { "data-id": j.id, onclick: () => showJob(j.id) },
      h("td", {}, j.id),
      h("td", {}, j.name),
      h("td", {}, j.queue),
      h("td", {}, j.priority),
      h("td", { class: `state state-${j.state}` }, j.state),
      h("td", {}, `${j.attempts}/${j.maxAttempts}`),
      h("td", {}, time(j.enqueuedAt)),
    )
  );
  if (more) $("#jobs tbody").append(...rows);
  else fill($("#jobs tbody"), rows);
  jobsCursor = page.nextCursor;
  $("#jobs-more").hidden = !jobsCursor;
}

async function showJob(id) {
  selected = id;
  const job = await api(`/v1/jobs/${encodeURIComponent(id)}`);
  $("#detail-panel").hidden = false;
  $("#detail-id").textContent = `${job.id} (${job.state})`;
  const actions = [];
  if (["waiting", "delayed", "blocked", "active"].includes(job.state)) {
    actions.push(
      h("button", {
        type: "button",
        onclick: () => act(`/v1/jobs/${encodeURIComponent(id)}/cancel`),
      }, "cancel"),
    );
  }
  if (job.state === "dead") {
    actions.push(
      h("button", {
        type: "button",
        onclick: () => act(`/v1/jobs/${encodeURIComponent(id)}/retry`),
      }, "retry"),
    );
  }
  $("#detail-actions").replaceChildren(...actions);
  $("#detail").replaceChildren(
    h("h3", {}, "payload"),
    json(job.payload),
    h("h3", {}, "result"),
    json(job.result),
    h("h3", {}, "error"),
    json(job.error),
    h("h3", {}, "attempts"),
    h(
      "table",
      { id: "attempts" },
      h(
        "tbody",
        {},
        job.history.map((a) =>
          h(
            "tr",
            {},
            h("td", {}, `#${a.attempt}`),
            h("td", {}, a.outcome),
            h("td", {}, a.worker ?? ""),
            h("td", {}, time(a.finishedAt)),
            h("td", {}, a.error ? `${a.error.name}: ${a.error.message}` : ""),
          )
        ),
      ),
    ),
  );
}

async function renderDead() {
  const { jobs } = await api("/v1/dead-letters?limit=100");
  fill(
    $("#dead tbody"),
    jobs.map((j) =>
      h(
        "tr",
        { "data-id": j.id },
        h("td", { onclick: () => showJob(j.id) }, j.id),
        h("td", {}, j.name),
        h("td", {}, j.queue),
        h("td", {}, j.error ? `${j.error.name}: ${j.error.message}` : ""),
        h("td", {}, time(j.finishedAt)),
        h(
          "td",
          {},
          h("button", {
            type: "button",
            "data-action": "requeue",
            onclick: () => act(`/v1/dead-letters/${encodeURIComponent(j.id)}/requeue`),
          }, "requeue"),
        ),
      )
    ),
  );
}

let pending = null;
/** Re-reads everything on screen, at most every 250 ms. */
function refresh() {
  pending ??= setTimeout(async () => {
    pending = null;
    try {
      await Promise.all([renderQueues(), renderNodes(), renderJobs(), renderDead()]);
      if (selected) await showJob(selected);
    } catch (error) {
      if (error.status === 401) $("#token-form").hidden = false;
      else console.error(error);
    }
  }, 250);
}

function init() {
  for (const s of STATES) $("#f-state").append(h("option", { value: s }, s));
  for (const l of LANES) $("#f-lane").append(h("option", { value: l }, l));
  $("#filters").addEventListener("input", () => renderJobs());
  $("#jobs-more").addEventListener("click", () => renderJobs(true));
  $("#token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setToken($("#token").value);
    location.reload();
  });
  const chart = new ThroughputChart($("#chart"));
  follow((type, event) => {
    if (type === "completed" || type === "failed") chart.add(type, event.at);
    if (type !== "ready") refresh();
  }, (live, error) => {
    $("#live").textContent = live ? "live" : "offline";
    $("#live").classList.toggle("on", live);
    if (error?.status === 401) $("#token-form").hidden = false;
  });
  setInterval(refresh, 5000);
  refresh();
}

init();
