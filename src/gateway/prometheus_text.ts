/**
 * A small writer of the Prometheus text exposition format (0.0.4) for values that are already
 * aggregated elsewhere (the store's counters and histograms, node records): prom-client's
 * metric objects count observations themselves, which is not what a reader of totals needs.
 *
 * @module
 */

/** Label names and values of one sample. */
export type Labels = Record<string, string>;

/** The metric types written. */
export type MetricType = "counter" | "gauge" | "histogram";

/** A histogram to write: upper bounds (seconds) and per-bucket counts (not cumulative). */
export interface HistogramValue {
  /** Bucket upper bounds, growing; a last bucket (+Inf) takes the rest. */
  bounds: readonly number[];
  /** Count of each bucket, `bounds.length + 1` of them, not cumulative. */
  counts: readonly number[];
  /** Sum of the observations (seconds). */
  sum: number;
}

function escape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return pairs.length ? `{${pairs.join(",")}}` : "";
}

function valueText(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return Number.isNaN(value) ? "NaN" : String(value);
}

/** Collects metric families and renders them as exposition text. */
export class PrometheusText {
  #lines: string[] = [];

  /** Starts family `name` of `type`, described by `help`. */
  family(name: string, type: MetricType, help: string): this {
    this.#lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
    this.#lines.push(`# TYPE ${name} ${type}`);
    return this;
  }

  /** A sample of the current family (or `name` with a suffix such as `_bucket`). */
  sample(name: string, labels: Labels, value: number): this {
    this.#lines.push(`${name}${labelText(labels)} ${valueText(value)}`);
    return this;
  }

  /** The samples of one histogram series: cumulative buckets, `_sum` and `_count`. */
  histogram(name: string, labels: Labels, value: HistogramValue): this {
    let running = 0;
    value.bounds.forEach((bound, i) => {
      running += value.counts[i] ?? 0;
      this.sample(`${name}_bucket`, { ...labels, le: valueText(bound) }, running);
    });
    const count = value.counts.reduce((a, b) => a + b, 0);
    this.sample(`${name}_bucket`, { ...labels, le: "+Inf" }, count);
    this.sample(`${name}_sum`, labels, value.sum);
    return this.sample(`${name}_count`, labels, count);
  }

  /** The text, ending with a newline. */
  text(): string {
    return this.#lines.length ? this.#lines.join("\n") + "\n" : "";
  }
}
