// Small SVG charts drawn at a given pixel width (so text stays crisp and nothing overflows):
// stacked bars, lines (linear or log scale), stacked areas and sparklines. Labels and tooltips
// are SVG text and <title> elements, built from text only.
import { svg } from "./dom.js";

/** Series colours, in order. */
export const PALETTE = [
  "#2f6fde",
  "#1a9e77",
  "#e08a1e",
  "#8a4fd8",
  "#d6406b",
  "#2aa7b8",
  "#7d8b23",
  "#9a6a4a",
];

const M = { left: 46, right: 8, top: 8, bottom: 20 };

function frame(width, height) {
  const root = svg("svg", {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    class: "chart",
    role: "img",
  });
  const inner = { x: M.left, y: M.top, w: width - M.left - M.right, h: height - M.top - M.bottom };
  return { root, inner };
}

function yAxis(root, inner, ticks, format) {
  for (const { value, y } of ticks) {
    root.append(
      svg("line", { x1: inner.x, x2: inner.x + inner.w, y1: y, y2: y, class: "grid" }),
      svg("text", { x: inner.x - 4, y: y + 3, class: "tick", "text-anchor": "end" }, format(value)),
    );
  }
}

function xLabels(root, inner, labels) {
  const last = labels.length - 1;
  labels.forEach((text, i) => {
    const anchor = i === 0 ? "start" : i === last ? "end" : "middle";
    const x = inner.x + (last === 0 ? 0 : (inner.w * i) / last);
    root.append(
      svg("text", { x, y: inner.y + inner.h + 14, class: "tick", "text-anchor": anchor }, text),
    );
  });
}

function linearTicks(max, inner) {
  const step = niceStep(max / 3);
  const ticks = [];
  for (let v = 0; v <= max + 1e-9; v += step) {
    ticks.push({ value: v, y: inner.y + inner.h - (v / max) * inner.h });
  }
  return ticks;
}

function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  const n = raw / power;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * power;
}

/**
 * Stacked bars: `columns` [{ label, parts: number[] (one per key), marks?: number }], `keys` and
 * their colours; `marks` (e.g. failures) drawn as a red line across the columns.
 */
export function stackedBars(width, height, { columns, keys, colors, xText, yFormat, markName }) {
  const { root, inner } = frame(width, height);
  const totals = columns.map((c) => c.parts.reduce((a, b) => a + b, 0));
  const max = niceStep(Math.max(1, ...totals, ...columns.map((c) => c.marks ?? 0)) / 3) * 3;
  yAxis(root, inner, linearTicks(max, inner), yFormat);
  const w = inner.w / Math.max(1, columns.length);
  columns.forEach((c, i) => {
    let y = inner.y + inner.h;
    c.parts.forEach((n, k) => {
      if (n <= 0) return;
      const hgt = (n / max) * inner.h;
      y -= hgt;
      root.append(svg(
        "rect",
        {
          x: inner.x + i * w + 0.5,
          y,
          width: Math.max(1, w - 1),
          height: hgt,
          fill: colors[k],
          class: "bar-part",
        },
        svg("title", {}, `${c.label} · ${keys[k]}: ${yFormat(n)}`),
      ));
    });
  });
  if (columns.some((c) => c.marks)) {
    const points = columns.map((c, i) =>
      `${inner.x + i * w + w / 2},${inner.y + inner.h - ((c.marks ?? 0) / max) * inner.h}`
    );
    root.append(
      svg("polyline", { points: points.join(" "), class: "marks" }, svg("title", {}, markName)),
    );
  }
  xLabels(root, inner, xText);
  return root;
}

/**
 * Lines over `count` columns: `series` [{ name, values: (number|null)[], color, dashed }], on a
 * log scale when `log` (values > 0), else linear from 0.
 */
export function lines(width, height, { count, series, log, xText, yFormat }) {
  const { root, inner } = frame(width, height);
  const all = series.flatMap((s) => s.values).filter((v) => v !== null && v > 0);
  let toY, ticks;
  if (log) {
    const lo = Math.floor(Math.log10(Math.max(Math.min(...all, 1), 0.01)));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...all, 10))));
    toY = (v) =>
      inner.y + inner.h - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * inner.h;
    ticks = [];
    for (let p = lo; p <= hi; p++) ticks.push({ value: 10 ** p, y: toY(10 ** p) });
  } else {
    const max = niceStep(Math.max(1, ...all) / 3) * 3;
    toY = (v) => inner.y + inner.h - (v / max) * inner.h;
    ticks = linearTicks(max, inner);
  }
  yAxis(root, inner, ticks, yFormat);
  const x = (i) => inner.x + (count <= 1 ? inner.w / 2 : (inner.w * i) / (count - 1));
  for (const s of series) {
    let run = [];
    const flush = () => {
      if (run.length > 1) {
        root.append(svg("polyline", {
          points: run.join(" "),
          stroke: s.color,
          class: s.dashed ? "line dashed" : "line",
        }, svg("title", {}, s.name)));
      }
      run = [];
    };
    s.values.forEach((v, i) => {
      if (v === null) return flush();
      run.push(`${x(i).toFixed(1)},${toY(v).toFixed(1)}`);
      if (run.length === 1) {
        root.append(
          svg(
            "circle",
            { cx: x(i), cy: toY(v), r: 2.6, fill: s.color },
            svg("title", {}, `${s.name}: ${yFormat(v)}`),
          ),
        );
      }
    });
    flush();
  }
  xLabels(root, inner, xText);
  return root;
}

/** Stacked areas over `count` samples: `series` [{ name, values: number[], color }]. */
export function stackedAreas(width, height, { count, series, xText, yFormat }) {
  const { root, inner } = frame(width, height);
  const sums = Array.from(
    { length: count },
    (_, i) => series.reduce((a, s) => a + (s.values[i] ?? 0), 0),
  );
  const max = niceStep(Math.max(1, ...sums) / 3) * 3;
  yAxis(root, inner, linearTicks(max, inner), yFormat);
  const x = (i) => inner.x + (count <= 1 ? inner.w : (inner.w * i) / (count - 1));
  const y = (v) => inner.y + inner.h - (v / max) * inner.h;
  const base = new Array(count).fill(0);
  for (const s of series) {
    const top = base.map((b, i) => b + (s.values[i] ?? 0));
    const upper = top.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    const lower = base.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).reverse();
    root.append(
      svg(
        "polygon",
        { points: [...upper, ...lower].join(" "), fill: s.color, class: "area" },
        svg("title", {}, `${s.name}: now ${yFormat(s.values.at(-1) ?? 0)}`),
      ),
    );
    top.forEach((v, i) => (base[i] = v));
  }
  xLabels(root, inner, xText);
  return root;
}

/** A tiny line of `values` (no axes), `width` by `height`. */
export function sparkline(values, width = 90, height = 18) {
  const max = Math.max(1, ...values);
  const step = width / Math.max(1, values.length - 1);
  const points = values.map((v, i) =>
    `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`
  );
  return svg(
    "svg",
    { width, height, class: "spark", viewBox: `0 0 ${width} ${height}` },
    svg("polyline", { points: points.join(" ") }),
  );
}

/** A legend: coloured swatches with names. */
export function legend(entries) {
  const root = document.createElement("div");
  root.className = "legend";
  for (const { name, color, dashed } of entries) {
    const item = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.className = dashed ? "swatch dashed" : "swatch";
    swatch.style.background = dashed ? "transparent" : color;
    swatch.style.borderColor = color;
    item.append(swatch, document.createTextNode(name));
    root.append(item);
  }
  return root;
}
