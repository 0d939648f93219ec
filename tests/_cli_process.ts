/**
 * Test harness: the `sluice` command line as real processes. `ServerProcess` runs a serving
 * command (`start`) and collects its log lines; `sluice(...)` runs one client command to the end;
 * `rawRequest` sends an HTTP request with a `Host` header of its choosing (fetch would not).
 *
 * @module
 */

import { eventually } from "./_node_process.ts";

const MAIN = new URL("../src/cli/main.ts", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;

/** The environment of a child: none of the caller's Sluice settings leak in. */
function childEnv(env: Record<string, string>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "DENO_DIR", "NO_COLOR"]) {
    const value = Deno.env.get(key);
    if (value !== undefined) clean[key] = value;
  }
  return { ...clean, NO_COLOR: "1", ...env };
}

/** Drops the warnings Deno itself may print (not Sluice's output). */
export function ownLines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "" && !/^\s*Warning\b/.test(l) // children run with NO_COLOR=1
  );
}

/** What a finished command printed. */
export interface Finished {
  /** Exit code. */
  code: number;
  /** Its stdout lines (Deno's own warnings dropped). */
  stdout: string[];
  /** Its stderr lines (Deno's own warnings dropped). */
  stderr: string[];
}

/**
 * How `sluice` is launched: the program, the arguments before the command's own, and the working
 * directory. The default runs the source with every permission from the project root.
 */
export interface Launch {
  /** The program (default: this Deno). */
  program?: string;
  /** Arguments before `sluice`'s (default: `run -A src/cli/main.ts`). */
  prefix: string[];
  /** Working directory (default: the project root). */
  cwd?: string;
}

const SOURCE: Launch = { prefix: ["run", "-A", MAIN] };

/** `sluice ...args` as a command, with only `env` (and the basics) in its environment. */
function command(args: string[], env: Record<string, string>, launch: Launch): Deno.Command {
  return new Deno.Command(launch.program ?? Deno.execPath(), {
    args: [...launch.prefix, ...args],
    cwd: launch.cwd ?? ROOT,
    env: childEnv(env),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  });
}

/** Runs `sluice ...args` to the end. */
export async function sluice(
  args: string[],
  env: Record<string, string> = {},
  launch: Launch = SOURCE,
): Promise<Finished> {
  const out = await command(args, env, launch).output();
  const decode = (bytes: Uint8Array) => ownLines(new TextDecoder().decode(bytes));
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** A running serving command. */
export class ServerProcess {
  /** Every line printed so far (stdout and stderr). */
  readonly lines: string[] = [];
  /** Resolves with the exit status. */
  readonly exited: Promise<Deno.CommandStatus>;
  #child: Deno.ChildProcess;

  /** Spawns `sluice ...args`. */
  constructor(args: string[], env: Record<string, string> = {}, launch: Launch = SOURCE) {
    this.#child = command(args, env, launch).spawn();
    void this.#read(this.#child.stdout);
    void this.#read(this.#child.stderr);
    this.exited = this.#child.status;
  }

  /**
   * Resolves with the `nth` line matching `pattern` (default the first); rejects when the
   * process ended without it, or after `timeoutMs`.
   */
  async waitFor(pattern: RegExp, nth = 1, timeoutMs = 30_000): Promise<string> {
    let ended = false;
    void this.exited.then(() => ended = true);
    const found = await eventually(
      () => Promise.resolve(this.lines.filter((l) => pattern.test(l))[nth - 1]),
      (line) => line !== undefined || ended,
      timeoutMs,
    ).catch(() => undefined);
    if (found === undefined) {
      throw new Error(`no line matching ${pattern}; output:\n${this.lines.join("\n")}`);
    }
    return found;
  }

  /** The gateway URL it logged. */
  async url(): Promise<string> {
    const line = await this.waitFor(/dashboard and API at http/);
    return /dashboard and API at (http\S+?)(?:"|\s|$)/.exec(line)![1]!;
  }

  /** Sends a signal. */
  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /** Kills the process if it still runs, and waits for it. */
  async close(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // exited already
    }
    await this.exited;
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      this.lines.push(...ownLines(parts.join("\n")));
    }
    if (rest.trim()) this.lines.push(...ownLines(rest));
  }
}

/** Sends `method path` to `url`'s host with the given headers (`Host` included); returns status. */
export async function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<number> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    const head = Object.entries({ connection: "close", ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`).join("");
    await conn.write(new TextEncoder().encode(`${method} ${path} HTTP/1.1\r\n${head}\r\n`));
    let text = "";
    const buffer = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
      if (/^HTTP\/1\.1 \d{3}/.test(text)) break;
    }
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  } finally {
    conn.close();
  }
}
