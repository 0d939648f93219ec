// Building elements from text only: `h` for HTML elements, `svg` for SVG ones. Strings become
// text nodes and attribute values; nothing is ever parsed as markup. Plus small formatters.

const SVG_NS = "http://www.w3.org/2000/svg";

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) el.setAttribute(k, String(v));
  }
  el.append(...children.flat().map((c) => (c instanceof Node ? c : String(c ?? ""))));
  return el;
}

/** An HTML element with attributes and children (strings become text). */
export function h(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element with attributes and children (strings become text). */
export function svg(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** The first element matching `selector`. */
export const $ = (selector) => document.querySelector(selector);

/** A time of day, or "" for none. */
export const time = (ms) => (ms ? new Date(ms).toLocaleTimeString() : "");

/** A duration in ms as short text: 850 µs, 12 ms, 1.4 s, 3.2 min. */
export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "–";
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** A count as short text: 950, 12.3k, 4.1M. */
export function count(n) {
  if (n < 1000) return String(Math.round(n * 10) / 10);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** An id shortened to its tail, for tight cells (the whole id goes in a title). */
export const shortId = (id) => (id.length > 12 ? `…${id.slice(-10)}` : id);

/** A horizontal bar of `ratio` (0 to 1) with a label. */
export function bar(ratio, label, cls = "") {
  const pct = Math.max(0, Math.min(1, ratio)) * 100;
  return h(
    "span",
    { class: `bar ${cls}`.trim(), title: label },
    h("span", { class: "fill", style: `width:${pct.toFixed(1)}%` }),
    h("span", { class: "bar-label" }, label),
  );
}

/**
 * Calls `draw(width)` for `el` whenever its width changes; `redraw()` draws again at the same
 * width (new data), `stop()` stops watching.
 */
export function onWidth(el, draw) {
  let last = -1;
  const run = () => {
    const width = Math.floor(el.clientWidth);
    if (width > 0 && width !== last) {
      last = width;
      draw(width);
    }
  };
  const observer = new ResizeObserver(run);
  observer.observe(el);
  return {
    redraw: () => {
      last = -1;
      run();
    },
    stop: () => observer.disconnect(),
  };
}
