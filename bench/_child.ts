/**
 * A child process that talks in JSON lines: the bench's Node peer runner and its worker
 * processes. Messages printed on stdout are queued for `next`; a message with an `error` field,
 * or the process exiting, fails the waiting `next` with the end of its stderr. Lines go to its
 * stdin with `send`; closing stdin is how a child is told to stop.
 *
 * @module
 */

/** One JSON message from a child. */
export type ChildMessage = Record<string, unknown>;

/** A running child process. */
export class Child {
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #messages: ChildMessage[] = [];
  #waiting: (() => void) | null = null;
  #stderr = "";
  #exited = false;
  #what: string;
  /** Resolves with the exit status. */
  readonly status: Promise<Deno.CommandStatus>;

  /** Spawns `command args`; `what` names it in errors. */
  constructor(command: string, args: string[], what: string, cwd?: string) {
    this.#what = what;
    this.#child = new Deno.Command(command, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      ...(cwd ? { cwd } : {}),
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    void this.#read(this.#child.stdout, (line) => {
      try {
        this.#messages.push(JSON.parse(line));
      } catch {
        this.#stderr += line + "\n"; // a log line on stdout
      }
    });
    void this.#read(this.#child.stderr, (line) => {
      this.#stderr = (this.#stderr + line + "\n").slice(-4_000);
    });
    this.status = this.#child.status.then((status) => {
      this.#exited = true;
      this.#wake();
      return status;
    });
  }

  /** The next message; rejects when it carries an `error`, or when the child exited. */
  async next(): Promise<ChildMessage> {
    for (;;) {
      const message = this.#messages.shift();
      if (message) {
        if ("error" in message) throw this.#failure(String(message.error));
        return message;
      }
      if (this.#exited) {
        const status = await this.status;
        throw this.#failure(`exited with status ${status.code} before answering`);
      }
      await new Promise<void>((resolve) => this.#waiting = resolve);
    }
  }

  /** Writes `line` and a newline to its stdin. */
  async send(line: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  /** Closes its stdin and waits for it to exit; kills it after `graceMs`. */
  async close(graceMs = 30_000): Promise<void> {
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => this.kill(), graceMs);
    try {
      await this.status;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills it at once. */
  kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // exited already
    }
  }

  #failure(reason: string): Error {
    const tail = this.#stderr.trim() ? `\n--- its stderr:\n${this.#stderr.trim()}` : "";
    return new Error(`${this.#what}: ${reason}${tail}`);
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.();
  }

  async #read(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) if (line.trim()) onLine(line);
      this.#wake();
    }
    if (rest.trim()) onLine(rest);
    this.#wake();
  }
}
