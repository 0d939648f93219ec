/**
 * A private three-master Redis Cluster on loopback, for the cluster tests: three
 * `redis-server --cluster-enabled yes` processes on free ports, each in a temp dir of its own
 * (for `nodes.conf`), joined with `redis-cli --cluster create --cluster-yes`.
 *
 * @module
 */

/** A master of the cluster and the slot ranges it owns. */
export interface ClusterMaster {
  /** `127.0.0.1:<port>`. */
  address: string;
  /** Its port. */
  port: number;
  /** Slot ranges it serves, inclusive. */
  slots: [number, number][];
}

/** A free loopback port whose cluster bus port (port + 10000) is free too. */
function freeClusterPort(taken: Set<number>): number {
  for (let attempt = 0; attempt < 100; attempt++) {
    const a = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (a.addr as Deno.NetAddr).port;
    a.close();
    if (port > 55_000 || taken.has(port)) continue;
    try {
      Deno.listen({ hostname: "127.0.0.1", port: port + 10_000 }).close();
    } catch {
      continue;
    }
    taken.add(port);
    return port;
  }
  throw new Error("no free port pair for a cluster node");
}

async function cli(args: string[]): Promise<string> {
  const out = await new Deno.Command("redis-cli", { args, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`redis-cli ${args.join(" ")} failed: ${text}`);
  return text;
}

/** A running private Redis Cluster of three masters and no replicas. */
export class PrivateCluster {
  /** The ports of the masters. */
  readonly ports: readonly number[];
  #children: Deno.ChildProcess[];
  #dirs: string[];

  private constructor(ports: number[], children: Deno.ChildProcess[], dirs: string[]) {
    this.ports = ports;
    this.#children = children;
    this.#dirs = dirs;
  }

  /** A store URL of the cluster: one seed node and `?cluster=1`. */
  get url(): string {
    return `redis://127.0.0.1:${this.ports[0]}?cluster=1`;
  }

  /** Starts three masters, creates the cluster and waits until every slot is served. */
  static async start(extraArgs: string[] = []): Promise<PrivateCluster> {
    const taken = new Set<number>();
    const ports = [0, 1, 2].map(() => freeClusterPort(taken));
    const dirs: string[] = [];
    const children: Deno.ChildProcess[] = [];
    for (const port of ports) {
      const dir = await Deno.makeTempDir({ prefix: "sluice-cluster-" });
      dirs.push(dir);
      children.push(
        new Deno.Command("redis-server", {
          args: [
            "--port",
            String(port),
            "--bind",
            "127.0.0.1",
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            `${dir}/nodes.conf`,
            "--dir",
            dir,
            "--save",
            "",
            "--appendonly",
            "no",
            ...extraArgs,
          ],
          stdout: "null",
          stderr: "null",
        }).spawn(),
      );
    }
    const cluster = new PrivateCluster(ports, children, dirs);
    try {
      for (const port of ports) await cluster.#answers(port);
      await cli([
        "--cluster",
        "create",
        ...ports.map((p) => `127.0.0.1:${p}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ]);
      await cluster.#settled();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Runs a redis-cli command on the master at `port` and returns its output, trimmed. */
  async command(port: number, ...args: string[]): Promise<string> {
    return (await cli(["-p", String(port), ...args])).trim();
  }

  /** The slot of `key` (CLUSTER KEYSLOT). */
  async keySlot(key: string): Promise<number> {
    return Number(await this.command(this.ports[0]!, "CLUSTER", "KEYSLOT", key));
  }

  /** The masters and their slots, as CLUSTER NODES reports them. */
  async masters(): Promise<ClusterMaster[]> {
    const text = await this.command(this.ports[0]!, "CLUSTER", "NODES");
    const masters: ClusterMaster[] = [];
    for (const line of text.split("\n")) {
      const parts = line.trim().split(" ");
      if (!parts[2]?.includes("master")) continue;
      const address = parts[1]!.split("@")[0]!;
      const slots = parts.slice(8).filter((s) => /^\d+(-\d+)?$/.test(s)).map((s) => {
        const [from, to] = s.split("-").map(Number);
        return [from!, to ?? from!] as [number, number];
      });
      masters.push({ address, port: Number(address.split(":")[1]), slots });
    }
    return masters;
  }

  /** The master serving `slot`. */
  async masterOf(slot: number): Promise<ClusterMaster> {
    const master = (await this.masters()).find((m) =>
      m.slots.some(([from, to]) => slot >= from && slot <= to)
    );
    if (!master) throw new Error(`no master serves slot ${slot}`);
    return master;
  }

  /** Stops every node and removes their directories. */
  async stop(): Promise<void> {
    for (const child of this.#children) {
      try {
        child.kill("SIGKILL");
      } catch {
        // gone already
      }
      await child.status;
    }
    for (const dir of this.#dirs) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }

  async #answers(port: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      try {
        if (await this.command(port, "PING") === "PONG") return;
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`cluster node on port ${port} did not answer`);
  }

  async #settled(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const states = await Promise.all(
        this.ports.map((p) => this.command(p, "CLUSTER", "INFO").catch(() => "")),
      );
      if (states.every((s) => s.includes("cluster_state:ok"))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the cluster did not reach cluster_state:ok");
  }
}
