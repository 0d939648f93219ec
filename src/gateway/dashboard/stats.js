// Arithmetic on the store's metrics (`GET /v1/metrics`): groups merged by queue or function,
// per-minute series, and percentiles read from the fixed-bucket histograms.

/** The key of a group when grouping `by` "queue" or "function" (or "all"). */
export function keyOf(group, by) {
  if (by === "queue") return group.queue;
  if (by === "function") return group.name;
  return "all";
}

function emptyHistogram(size) {
  return { count: 0, sumMs: 0, buckets: new Array(size).fill(0) };
}

function addHistogram(into, h) {
  into.count += h.count;
  into.sumMs += h.sumMs;
  h.buckets.forEach((n, i) => (into.buckets[i] = (into.buckets[i] ?? 0) + n));
}

/** Sums `groups` into one totals object per key of `by`, optionally only those `keep` takes. */
export function merge(groups, by, keep = () => true) {
  const out = new Map();
  for (const g of groups) {
    if (!keep(g)) continue;
    const key = keyOf(g, by);
    let m = out.get(key);
    if (!m) {
      const size = g.run.buckets.length;
      m = {
        key,
        completed: 0,
        failed: 0,
        dead: 0,
        cancelled: 0,
        run: emptyHistogram(size),
        wait: emptyHistogram(size),
      };
      out.set(key, m);
    }
    for (const k of ["completed", "failed", "dead", "cancelled"]) m[k] += g[k];
    addHistogram(m.run, g.run);
    addHistogram(m.wait, g.wait);
  }
  return out;
}

/**
 * The `p` quantile (0 to 1) of histogram `h` with bucket upper bounds `edges` (ms): linear
 * within the bucket it falls in; the last, open bucket reads as twice the last edge. Null for
 * an empty histogram.
 */
export function quantile(h, edges, p) {
  if (!h || h.count === 0) return null;
  const target = p * h.count;
  let seen = 0;
  for (let i = 0; i < h.buckets.length; i++) {
    const n = h.buckets[i];
    if (n > 0 && seen + n >= target) {
      const lower = i === 0 ? 0 : edges[i - 1];
      const upper = i < edges.length ? edges[i] : edges[edges.length - 1] * 2;
      return lower + (upper - lower) * Math.max(0, Math.min(1, (target - seen) / n));
    }
    seen += n;
  }
  return edges[edges.length - 1] * 2;
}

/**
 * Minute slots from `metrics.minutes`: the last `span` minutes up to the newest, `step` minutes
 * per slot, each with its merged groups by `by` (minutes without data give empty slots).
 */
export function slots(metrics, span, step, by, keep) {
  const now = Math.floor(metrics.now / 60_000);
  const first = now - span + 1;
  const count = Math.ceil(span / step);
  const out = Array.from({ length: count }, (_, i) => ({
    minute: first + i * step,
    groups: [],
  }));
  for (const m of metrics.minutes) {
    const i = Math.floor((m.minute - first) / step);
    if (i >= 0 && i < count) out[i].groups.push(...m.groups);
  }
  return out.map((s) => ({ minute: s.minute, merged: merge(s.groups, by, keep) }));
}

/** The keys of `merged` (a Map from `merge`) by completed jobs, most first, at most `n`. */
export function topKeys(merged, n) {
  return [...merged.values()].sort((a, b) => b.completed - a.completed).slice(0, n).map((m) =>
    m.key
  );
}
