/**
 * Test helper: the builds of deno.json (`deno task compile`, `deno task bundle`) run as the tasks
 * say, but into a temporary folder; the permissions the binary is compiled with (a bundle runs
 * with exactly those); and the round trip a built program must pass: `start` with isolates
 * serves `/healthz`, runs a job of the function files and stops cleanly on SIGTERM.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import config from "../deno.json" with { type: "json" };
import { type Launch, ServerProcess, sluice } from "./_cli_process.ts";
import { eventually } from "./_node_process.ts";

/** The project root. */
export const ROOT = new URL("..", import.meta.url).pathname;

/** With SLUICE_REQUIRE_BINARY=1 (CI), a build that cannot fetch its tools fails instead of skips. */
export const BINARY_REQUIRED = Deno.env.get("SLUICE_REQUIRE_BINARY") === "1";

const MANIFEST_FIRST = "deno task manifest && ";

/** The `deno ...` words of task `name`, which must regenerate the manifest first. */
export function taskWords(name: "compile" | "bundle"): string[] {
  const task = config.tasks[name];
  assert.ok(task.startsWith(MANIFEST_FIRST), `task ${name} regenerates the manifest first`);
  const words = task.slice(MANIFEST_FIRST.length).trim().split(/\s+/);
  assert.equal(words[0], "deno");
  return words;
}

/** Deno's arguments for task `name`, writing to `output` instead of the task's output. */
export function buildArgs(name: "compile" | "bundle", output: string): string[] {
  const args = taskWords(name).slice(1);
  const at = args.findIndex((a) => a === "--output" || a === "-o");
  assert.ok(at > 0, `task ${name} names its output`);
  args.splice(at, 2, "--output", output);
  return args;
}

/** The permission and runtime flags the binary is compiled with. */
export function binaryFlags(): string[] {
  return taskWords("compile").filter((w) => /^--(allow|deny|unstable)-/.test(w));
}

/** What a finished `deno` run printed. */
export interface DenoRun {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Runs this Deno with `args` in the project root (no colours). */
export async function runDeno(args: string[]): Promise<DenoRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** A temporary folder, removed when the test module ends. */
export async function buildDir(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  return dir;
}

/** A service of compose.yaml (the fields Sluice's file uses). */
export interface ComposeService {
  /** Image to run. */
  image?: string;
  /** Build context. */
  build?: string;
  /** The command (after the image's entrypoint). */
  command?: string[];
  /** Environment variables. */
  environment?: Record<string, string>;
  /** Published ports. */
  ports?: string[];
  /** Replicas. */
  deploy?: { replicas?: number };
  /** How long `docker stop` waits after SIGTERM. */
  stop_grace_period?: string;
  /** Services started first, with the condition. */
  depends_on?: Record<string, { condition: string }>;
}

/** The services of compose.yaml (merge keys resolved), and its text. */
export function readCompose(): { services: Record<string, ComposeService>; text: string } {
  const text = Deno.readTextFileSync(`${ROOT}compose.yaml`);
  const { services } = parse(text, { merge: true }) as { services: Record<string, ComposeService> };
  return { services, text };
}

interface JobView {
  state: string;
  result: { messageId?: string } | null;
}

/**
 * `start --isolates=2` of the program `launch` runs (memory store, a working folder without the
 * source): `/healthz` answers, a `send-welcome-email` job enqueued through the program's own CLI
 * completes in an isolate, and SIGTERM stops it with exit code 0.
 */
export async function startRoundTrip(launch: Launch): Promise<void> {
  const server = new ServerProcess(
    ["start", "--port=0", "--demo-rate=0", "--isolates=2"],
    {},
    launch,
  );
  try {
    const url = await server.url();
    assert.ok(server.lines.some((l) => /engine on the memory store .*send-welcome-email/.test(l)));
    const health = await fetch(new URL("/healthz", url));
    assert.deepEqual([health.status, await health.json()], [200, { status: "ok" }]);

    const client = (...args: string[]) => sluice(args, { SLUICE_URL: url }, launch);
    const payload = JSON.stringify({ to: "ada@example.com", name: "Ada" });
    const enqueued = await client("enqueue", "send-welcome-email", payload);
    assert.equal(enqueued.code, 0, enqueued.stderr.join("\n"));
    const id = enqueued.stdout[0]!;
    const job = await eventually(
      async (): Promise<JobView> => {
        const out = await client("inspect", id);
        assert.equal(out.code, 0, out.stderr.join("\n"));
        return JSON.parse(out.stdout.join("\n"));
      },
      (j) => j.state === "completed" || j.state === "dead",
      60_000,
    );
    assert.equal(job.state, "completed", server.lines.join("\n"));
    assert.equal(job.result?.messageId, `msg-${id}`);
    const trouble = /isolate terminated|could not start|ERROR/;
    assert.ok(!server.lines.some((l) => trouble.test(l)), server.lines.join("\n"));
  } finally {
    server.kill("SIGTERM");
    const status = await server.exited;
    assert.equal(status.code, 0, server.lines.join("\n"));
    assert.ok(server.lines.some((l) => /stopping/.test(l)));
  }
}
