/**
 * A redis-server of the bench's own on a free loopback port (no persistence, `noeviction`), for
 * measurements that read server-wide figures (memory, idle command counts) or load large
 * backlogs: nothing else runs on it, and stopping it is the clean-up.
 *
 * @module
 */
import { Redis } from "ioredis";

/** A running private redis-server. */
export class PrivateRedis {
  /** Its URL. */
  readonly url: string;
  #child: Deno.ChildProcess;

  private constructor(port: number, child: Deno.ChildProcess) {
    this.url = `redis://127.0.0.1:${port}`;
    this.#child = child;
  }

  /**
   * Starts `redis-server` on a free port; resolves when it answers PING. `wrapper`: a command
   * line to run the server under (e.g. valgrind's), the server's own command line after it.
   */
  static async start(wrapper: readonly string[] = []): Promise<PrivateRedis> {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const [command, ...prefix] = [...wrapper, "redis-server"];
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(command!, {
        args: [
          ...prefix,
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "no",
          "--maxmemory-policy",
          "noeviction",
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
    } catch (error) {
      throw new Error(`bench: cannot start ${command}: ${(error as Error).message}`);
    }
    const server = new PrivateRedis(port, child);
    for (let i = 0; i < 400; i++) { // under valgrind a server takes seconds to start
      if (await server.#answers()) return server;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await server.stop();
    throw new Error(`bench: redis-server on port ${port} did not answer`);
  }

  async #answers(): Promise<boolean> {
    const redis = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on("error", () => {});
    try {
      await redis.connect();
      return (await redis.ping()) === "PONG";
    } catch {
      return false;
    } finally {
      redis.disconnect();
    }
  }

  /** The server's process id (of the wrapper, when it runs under one). */
  get pid(): number {
    return this.#child.pid;
  }

  /** Kills the server (its data goes with it) and waits for it to exit. */
  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // gone already
    }
    await this.#child.status;
  }
}
