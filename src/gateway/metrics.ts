/**
 * Prometheus metrics of a gateway: the cluster's (`cluster_metrics.ts`: job counts and
 * histograms from the store's totals, depth, nodes, leader), the same on every gateway whether
 * or not its process runs a worker, followed by this process's own (CPU, memory, event loop),
 * in a registry of its own so many gateways can live in one process.
 *
 * @module
 */
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Engine } from "../engine.ts";
import { clusterMetricsText, ClusterReader } from "./cluster_metrics.ts";

/** The metrics of one gateway; `text()` renders them. */
export class GatewayMetrics {
  /** This process's metrics (CPU, memory, event loop), in a registry of this gateway's own. */
  readonly registry: Registry = new Registry();
  #cluster: ClusterReader;
  #prefix: string;

  /** Metrics named `<prefix>...` (default `sluice_`) of `engine`'s cluster and this process. */
  constructor(engine: Engine, prefix = "sluice_") {
    this.#prefix = prefix;
    this.#cluster = new ClusterReader(engine);
    collectDefaultMetrics({ register: this.registry, prefix });
  }

  /** Reads the cluster from the store (once per scrape), then renders every metric. */
  async text(): Promise<string> {
    const [reading, own] = await Promise.all([this.#cluster.read(), this.registry.metrics()]);
    return clusterMetricsText(reading, this.#prefix) + own;
  }

  /** The content type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
