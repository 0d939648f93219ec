/**
 * Test harness: real worker-node subprocesses (`src/cli/main.ts worker`) against Redis, with
 * their JSON event lines collected, and signals (SIGKILL, SIGTERM, SIGSTOP, SIGCONT) on demand.
 *
 * @module
 */

const MAIN = new URL("../src/cli/main.ts", import.meta.url).pathname;

/** One JSON line a node printed. */
export interface NodeEvent {
  /** Event name (`node-started`, `leader-elected`, ...). */
  event: string;
  /** Node id. */
  node?: string;
  /** Other fields. */
  [field: string]: unknown;
}

/** A running node process. */
export class NodeProcess {
  /** Every event line printed so far. */
  readonly events: NodeEvent[] = [];
  /** Everything printed to stderr so far. */
  stderr = "";
  #child: Deno.ChildProcess;
  #listeners = new Set<() => void>();
  /** Resolves with the exit status. */
  readonly exited: Promise<Deno.CommandStatus>;

  /** Spawns `sluice worker` with `args`, against `redisUrl` and the namespace. */
  constructor(args: string[], env: Record<string, string>) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "worker", ...args],
      env,
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    void this.#read(this.#child.stdout, (line) => {
      try {
        this.events.push(JSON.parse(line));
      } catch {
        this.stderr += line + "\n"; // a log line on stdout
      }
    });
    void this.#read(this.#child.stderr, (line) => (this.stderr += line + "\n"));
    this.exited = this.#child.status;
  }

  /** The OS process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** The node id, once it started. */
  get nodeId(): string | undefined {
    return this.events.find((e) => e.event === "node-started")?.node;
  }

  /** Sends a signal. */
  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /** Resolves when an event matching `match` was printed (or rejects after `timeoutMs`). */
  async waitFor(match: (e: NodeEvent) => boolean, timeoutMs = 30_000): Promise<NodeEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `node ${this.pid}: no matching event after ${timeoutMs} ms; events: ` +
            `${JSON.stringify(this.events)}\nstderr:\n${this.stderr.slice(-3000)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 50);
        this.#listeners.add(done);
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }

  /** Kills the process if it still runs and waits for it. */
  async close(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // exited already
    }
    await this.exited;
  }

  async #read(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
    const lines = stream.pipeThrough(new TextDecoderStream());
    let rest = "";
    for await (const chunk of lines) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) if (line.trim()) onLine(line);
      for (const listener of [...this.#listeners]) {
        this.#listeners.delete(listener);
        listener();
      }
    }
    if (rest.trim()) onLine(rest);
  }
}

/** Polls `read` until `done` says yes; rejects with the last value after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met after ${timeoutMs} ms; last value: ${JSON.stringify(value)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
