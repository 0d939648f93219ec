/**
 * A private `redis-server` under valgrind's callgrind, whose instruction counters are dumped and
 * read phase by phase (for `bench:lua` and `bench:lua-primitives`). Instruction counts do not move
 * with the machine's load the way timings do, so a change shows its effect in one run.
 *
 * @module
 */
import { PrivateRedis } from "./_private_redis.ts";

/** A redis-server under callgrind, and its counters. */
export class CallgrindRedis {
  /** The server (its `url`, `pid`). */
  readonly server: PrivateRedis;
  #dir: string;
  #dumps = 0;

  private constructor(server: PrivateRedis, dir: string) {
    this.server = server;
    this.#dir = dir;
  }

  /** Starts the server under callgrind (needs valgrind on the PATH; `what` names the caller). */
  static async start(what: string): Promise<CallgrindRedis> {
    const dir = await Deno.makeTempDir({ prefix: "sluice-callgrind-" });
    try {
      const server = await PrivateRedis.start([
        "valgrind",
        "--tool=callgrind",
        `--callgrind-out-file=${dir}/callgrind.out`,
      ]);
      return new CallgrindRedis(server, dir);
    } catch (error) {
      await Deno.remove(dir, { recursive: true });
      throw new Error(`${what} needs valgrind on the PATH (${(error as Error).message})`);
    }
  }

  /** Dumps the counters since the last dump; returns the instructions they hold. */
  async dump(): Promise<number> {
    const out = await new Deno.Command("callgrind_control", {
      args: ["--dump", String(this.server.pid)],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`callgrind_control failed: ${new TextDecoder().decode(out.stderr)}`);
    }
    const file = `${this.#dir}/callgrind.out.${++this.#dumps}`;
    for (let i = 0; i < 200; i++) {
      const text = await Deno.readTextFile(file).catch(() => "");
      const totals = /^totals: (\d+)/m.exec(text);
      if (totals) return Number(totals[1]);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`callgrind wrote no dump ${file}`);
  }

  /** Stops the server and removes the counters' files. */
  async stop(): Promise<void> {
    try {
      await this.server.stop();
    } finally {
      await Deno.remove(this.#dir, { recursive: true });
    }
  }
}
