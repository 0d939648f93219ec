/**
 * A private `redis-server` on a free port, for tests that must count its commands, kill it or
 * restart it without disturbing the shared Redis.
 *
 * @module
 */

import { Redis } from "ioredis";

/** A running private Redis. */
export class PrivateRedis {
  /** Its URL. */
  readonly url: string;
  #port: number;
  #extra: readonly string[];
  #child: Deno.ChildProcess;

  private constructor(port: number, extra: readonly string[]) {
    this.url = `redis://127.0.0.1:${port}`;
    this.#port = port;
    this.#extra = extra;
    this.#child = PrivateRedis.#spawn(port, extra);
  }

  /**
   * Starts `redis-server` on a free loopback port, with `extra` settings as its command-line
   * arguments (e.g. `["--rename-command", "FCALL", ""]`); resolves when it answers.
   */
  static async start(extra: readonly string[] = []): Promise<PrivateRedis> {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const server = new PrivateRedis(port, extra);
    await server.#ready();
    return server;
  }

  /** Kills the server (everything in it is lost) and starts a fresh one on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    this.#child = PrivateRedis.#spawn(this.#port, this.#extra);
    await this.#ready();
  }

  static #spawn(port: number, extra: readonly string[]): Deno.ChildProcess {
    return new Deno.Command("redis-server", {
      args: [
        ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        ...extra,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
  }

  async #ready(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (await this.#answers()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.stop();
    throw new Error(
      `redis-server on port ${this.#port} did not answer (or another server holds the port)`,
    );
  }

  /**
   * Commands that clients sent during `ms` (watched with MONITOR; commands that scripts run
   * inside the server are not counted), by command name.
   */
  async clientCommands(ms: number): Promise<Map<string, number>> {
    const monitor = new Deno.Command("redis-cli", {
      args: ["-u", this.url, "MONITOR"],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const timer = setTimeout(() => monitor.kill("SIGTERM"), ms);
    const { stdout } = await monitor.output();
    clearTimeout(timer);
    const counts = new Map<string, number>();
    for (const line of new TextDecoder().decode(stdout).split("\n")) {
      const match = line.match(/^[\d.]+ \[\d+ ([^\]]+)\] "([^"]+)"/);
      if (!match || match[1] === "lua") continue;
      const name = match[2]!.toUpperCase();
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * Calls per command name since the server started or `CONFIG RESETSTAT`, counting the
   * commands that scripts run inside the server too (INFO commandstats).
   */
  async commandCalls(): Promise<Map<string, number>> {
    const out = await new Deno.Command("redis-cli", {
      args: ["-u", this.url, "INFO", "commandstats"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const calls = new Map<string, number>();
    for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
      const match = line.match(/^cmdstat_([^:]+):calls=(\d+)/);
      if (match) calls.set(match[1]!, Number(match[2]));
    }
    return calls;
  }

  /** Stops the server. */
  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // gone already
    }
    await this.#child.status;
  }

  /**
   * Whether this server answers: its own process, not another file's server that took the port
   * while it was free (test files run side by side, and a restart leaves the port free a while).
   */
  async #answers(): Promise<boolean> {
    const out = await new Deno.Command("redis-cli", {
      args: ["-u", this.url, "INFO", "server"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const pid = new TextDecoder().decode(out.stdout).match(/^process_id:(\d+)/m)?.[1];
    return pid === String(this.#child.pid);
  }
}

/**
 * A test against a redis-server of its own (started with `extra` settings) and a plain client
 * to it, both closed after.
 */
export function testOnPrivateRedis(
  name: string,
  fn: (server: PrivateRedis, admin: Redis) => Promise<void>,
  extra: string[] = [],
): void {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const server = await PrivateRedis.start(extra);
      const admin = new Redis(server.url);
      try {
        await fn(server, admin);
      } finally {
        admin.disconnect();
        await server.stop();
      }
    },
  });
}
