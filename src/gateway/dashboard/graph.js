// A job's dependency graph (`GET /v1/jobs/:id/graph`) drawn as SVG: prerequisites left of their
// dependents (layered by longest path), boxes coloured by state, the selected job outlined, and
// the failed path highlighted: every edge from a dead or cancelled job to a dependent that died,
// was cancelled or still waits because of it. Clicking a box opens that job.
import { svg } from "./dom.js";

const BOX = { w: 150, h: 34, gapX: 46, gapY: 12 };
const FAILED = new Set(["dead", "cancelled"]);
const HELD = new Set(["dead", "cancelled", "blocked"]);

/** Layer of each node: 0 for jobs with no prerequisite in the page, else 1 + the deepest. */
function layers(nodes, edges) {
  const ids = new Set(nodes.map((n) => n.id));
  const into = new Map(nodes.map((n) => [n.id, []]));
  for (const e of edges) if (ids.has(e.from) && ids.has(e.to)) into.get(e.to).push(e.from);
  const layer = new Map();
  const visit = (id, depth = 0) => {
    if (layer.has(id)) return layer.get(id);
    if (depth > nodes.length) return 0; // a cycle cannot be stored; stay safe anyway
    const before = into.get(id) ?? [];
    const value = before.length ? 1 + Math.max(...before.map((p) => visit(p, depth + 1))) : 0;
    layer.set(id, value);
    return value;
  };
  for (const n of nodes) visit(n.id);
  return layer;
}

/** True when edge `e` (between nodes of `byId`) carries a failure down the graph. */
export function onFailedPath(e, byId) {
  const from = byId.get(e.from);
  const to = byId.get(e.to);
  return !!from && !!to && FAILED.has(from.state) && HELD.has(to.state);
}

/**
 * The SVG of `graph` ({ root, nodes, edges }), at most `width` pixels wide (scaled down when
 * larger); `open(id)` is called when a box is clicked.
 */
export function drawGraph(graph, width, open) {
  const { nodes, edges, root } = graph;
  const layer = layers(nodes, edges);
  const columns = [];
  for (const n of nodes) (columns[layer.get(n.id)] ??= []).push(n);
  const at = new Map();
  columns.forEach((col, c) =>
    col.forEach((n, r) =>
      at.set(n.id, { x: 4 + c * (BOX.w + BOX.gapX), y: 4 + r * (BOX.h + BOX.gapY) })
    )
  );
  const natural = {
    w: 8 + columns.length * BOX.w + (columns.length - 1) * BOX.gapX,
    h: 8 + Math.max(...columns.map((c) => c.length)) * (BOX.h + BOX.gapY) - BOX.gapY,
  };
  const scale = Math.min(1, width / natural.w);
  const root$ = svg("svg", {
    class: "graph",
    width: Math.floor(natural.w * scale),
    height: Math.floor(natural.h * scale),
    viewBox: `0 0 ${natural.w} ${natural.h}`,
    role: "img",
  });
  root$.append(svg(
    "defs",
    {},
    svg(
      "marker",
      {
        id: "arrow",
        viewBox: "0 0 8 8",
        refX: 8,
        refY: 4,
        markerWidth: 7,
        markerHeight: 7,
        orient: "auto",
      },
      svg("path", { d: "M0,0 L8,4 L0,8 z", class: "arrow" }),
    ),
  ));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const e of edges) {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b) continue;
    const [x1, y1, x2, y2] = [a.x + BOX.w, a.y + BOX.h / 2, b.x, b.y + BOX.h / 2];
    const mid = (x1 + x2) / 2;
    root$.append(svg("path", {
      d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`,
      class: onFailedPath(e, byId) ? "edge failed-path" : "edge",
      "marker-end": "url(#arrow)",
      "data-from": e.from,
      "data-to": e.to,
    }));
  }
  for (const n of nodes) {
    const { x, y } = at.get(n.id);
    const cls = [
      "node",
      `state-${n.state}`,
      n.id === root ? "root" : "",
      FAILED.has(n.state) ? "failed" : "",
    ];
    root$.append(svg(
      "g",
      {
        class: cls.join(" ").trim(),
        transform: `translate(${x},${y})`,
        "data-id": n.id,
        onclick: () => open(n.id),
      },
      svg("title", {}, `${n.id}\n${n.name || "(missing)"} · ${n.state} · ${n.priority ?? ""}`),
      svg("rect", { width: BOX.w, height: BOX.h, rx: 5 }),
      svg("text", { x: 8, y: 14, class: "name" }, clip(n.name || "(missing)", 20)),
      svg("text", { x: 8, y: 27, class: "sub" }, `${n.state} · …${n.id.slice(-8)}`),
    ));
  }
  return root$;
}

function clip(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
