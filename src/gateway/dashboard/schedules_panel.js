// The cron schedules: each with its function, pattern and zone, its next fire times in the
// schedule's zone and in the browser's, when it last fired, and pause, resume and trigger.
import { api } from "./api.js";
import { $, h } from "./dom.js";
import { act } from "./lists.js";

const enc = encodeURIComponent;
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** `ms` as a short date and time in time zone `tz`. */
function at(ms, tz) {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: tz,
    dateStyle: "short",
    timeStyle: "short",
    hourCycle: "h23",
  }).format(ms);
}

/** Fills the schedules panel (shown once the gateway answers for schedules). */
export async function renderSchedules(refresh) {
  const { schedules } = await api("/v1/schedules");
  const panel = $("#schedules-panel");
  panel.hidden = false;
  const rows = schedules.map((s) => {
    const next = s.next[0];
    const action = (verb) =>
      h("button", {
        type: "button",
        onclick: () => act(`/v1/schedules/${enc(s.name)}/${verb}`, refresh),
      }, verb);
    return h(
      "tr",
      { "data-schedule": s.name },
      h(
        "td",
        { title: `${s.name}: ${s.job} ${s.pattern} (${s.tz})` },
        s.name,
        s.paused ? h("span", { class: "chip paused" }, "paused") : "",
        h("div", { class: "sub" }, `${s.job} · ${s.pattern}`),
      ),
      h(
        "td",
        { title: s.next.map((ms) => at(ms, s.tz)).join("\n") },
        next === undefined ? "–" : `${at(next, s.tz)} ${s.tz}`,
        next === undefined || s.tz === browserZone
          ? ""
          : h("div", { class: "sub" }, `${at(next, browserZone)} here`),
      ),
      h("td", {}, s.lastFiredAt ? at(s.lastFiredAt, browserZone) : "never"),
      h("td", {}, action(s.paused ? "resume" : "pause"), action("trigger")),
    );
  });
  panel.replaceChildren(
    h("h2", {}, "Schedules ", h("small", {}, "next fire time in its zone, and here")),
    rows.length
      ? h(
        "table",
        { id: "schedules", class: "fixed" },
        h(
          "colgroup",
          {},
          h("col", {}),
          h("col", { class: "c-when" }),
          h("col", { class: "c-when-short" }),
          h("col", { class: "c-two-buttons" }),
        ),
        h(
          "thead",
          {},
          h("tr", {}, ["schedule", "next", "last fired", ""].map((t) => h("th", {}, t))),
        ),
        h("tbody", {}, rows),
      )
      : h("p", { class: "hint" }, "no schedules"),
  );
}
