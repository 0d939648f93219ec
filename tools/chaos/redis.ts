/**
 * The chaos suite's own `redis-server` on a free loopback port, with an append-only file synced
 * every second (`appendfsync everysec`) in a temporary directory, so it can be killed (SIGKILL)
 * and started again on the same port with what the file kept; and the Redis-side faults: killing
 * client connections, filling memory.
 *
 * @module
 */
import { Redis } from "ioredis";

/** A running chaos Redis. */
export class ChaosRedis {
  /** Its URL. */
  readonly url: string;
  /** An admin connection (for faults and checks; not one of the engine's). */
  readonly admin: Redis;
  #port: number;
  #dir: string;
  #child: Deno.ChildProcess;

  private constructor(port: number, dir: string) {
    this.url = `redis://127.0.0.1:${port}`;
    this.#port = port;
    this.#dir = dir;
    this.#child = this.#spawn();
    this.admin = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: null });
    this.admin.on("error", () => {}); // down on purpose during a restart: it reconnects
  }

  /** Starts a server on a free port; resolves once it answers. */
  static async start(): Promise<ChaosRedis> {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const server = new ChaosRedis(port, await Deno.makeTempDir({ prefix: "sluice-chaos-redis-" }));
    await server.#ready();
    await server.admin.connect();
    return server;
  }

  #spawn(): Deno.ChildProcess {
    return new Deno.Command("redis-server", {
      args: [
        "--port",
        String(this.#port),
        "--bind",
        "127.0.0.1",
        "--dir",
        this.#dir,
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--maxmemory-policy",
        "noeviction",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
  }

  /**
   * Kills the server with SIGKILL (what the AOF had not synced is lost: up to about a second of
   * writes) and starts it again on the same port after `downMs`; resolves once it answers.
   */
  async crashAndRestart(downMs: number): Promise<void> {
    this.#child.kill("SIGKILL");
    await this.#child.status;
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.#child = this.#spawn();
    await this.#ready();
  }

  /** `CLIENT KILL TYPE normal`: drops every ordinary client connection but the admin one. */
  async killClients(): Promise<number> {
    const killed = await this.admin.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
    return Number(killed);
  }

  /** Stops the server and removes its directory. */
  async stop(): Promise<void> {
    this.admin.disconnect();
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // gone already
    }
    await this.#child.status;
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }

  async #ready(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const out = await new Deno.Command("redis-cli", {
        args: ["-p", String(this.#port), "PING"],
        stdout: "piped",
        stderr: "null",
      }).output();
      const reply = new TextDecoder().decode(out.stdout).trim();
      if (reply === "PONG") return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server on port ${this.#port} did not come up`);
  }
}

/** Used memory of the server behind `redis`, in bytes. */
async function usedMemory(redis: Redis): Promise<number> {
  return Number((await redis.info("memory")).match(/used_memory:(\d+)/)![1]);
}

/**
 * Fills the server behind `redis` (policy `noeviction`) with `filler:<n>` keys, big ones first,
 * then ever smaller, until a write is refused; then sets `maxmemory` 4 MB under the memory in use
 * (which hovers as buffers come and go, and falls as workers finish jobs), so every write is
 * refused until the fillers are deleted. Returns the filler keys.
 */
export async function fillRedis(redis: Redis): Promise<string[]> {
  await redis.config("SET", "maxmemory-policy", "noeviction");
  await redis.config("SET", "maxmemory", String(await usedMemory(redis) + 8 * 1024 * 1024));
  const keys: string[] = [];
  for (const size of [256 * 1024, 4 * 1024, 64]) {
    for (let full = false; !full;) {
      const key = `filler:${keys.length}`;
      try {
        await redis.set(key, "x".repeat(size));
        keys.push(key);
      } catch (error) {
        if (!/OOM/.test(String(error))) throw error;
        full = true;
      }
    }
  }
  await redis.config("SET", "maxmemory", String(await usedMemory(redis) - 4 * 1024 * 1024));
  return keys;
}
