/**
 * The BullMQ side of the bench, on Node as its users run it: the pinned packages of
 * bench/peers/package.json (installed with `npm ci` when missing), and one Node process
 * (bench/peers/bullmq_runner.mjs) per measurement, driven over JSON lines.
 *
 * @module
 */
import { Child } from "./_child.ts";
import type { BlockResult, Params, Trial, TrialResult } from "./_scenario.ts";
import type { Retention } from "./_options.ts";

/** The folder of the Node peers (package.json, lock file, runner). */
export const PEERS_DIR: string = new URL("./peers/", import.meta.url).pathname;

const RUNNER = `${PEERS_DIR}bullmq_runner.mjs`;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function run(command: string, args: string[]): Promise<Deno.CommandOutput> {
  try {
    return await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    throw new Error(`bench: cannot run ${command}: ${(error as Error).message}`);
  }
}

/**
 * Installs the Node peers' pinned dependencies (`npm ci --prefix bench/peers`) unless they are
 * there; says so on stderr. Throws with npm's output when that fails.
 */
export async function ensurePeers(): Promise<void> {
  if (await exists(`${PEERS_DIR}node_modules/bullmq/package.json`)) return;
  console.error("bench: installing the Node peers (npm ci --prefix bench/peers) ...");
  const out = await run("npm", ["ci", "--prefix", PEERS_DIR, "--no-audit", "--no-fund"]);
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    throw new Error(`bench: npm ci --prefix bench/peers failed:\n${text.slice(-3_000)}`);
  }
  console.error("bench: Node peers installed");
}

/** Versions of the peer side: the installed bullmq and the Node that runs it. */
export async function peerVersions(): Promise<{ bullmq: string; node: string }> {
  const pkg = JSON.parse(
    await Deno.readTextFile(`${PEERS_DIR}node_modules/bullmq/package.json`),
  ) as { version: string };
  const node = new TextDecoder().decode((await run("node", ["--version"])).stdout).trim();
  return { bullmq: pkg.version, node };
}

/** What a peer measurement needs to know. */
export interface PeerSpec {
  /** Scenario name. */
  scenario: string;
  /** Its parameters (the same as Sluice's). */
  params: Params;
  /** The parameters of an untimed warm-up run in the same process first (under `prefix:w`). */
  warmup?: Params | undefined;
  /** Redis URL. */
  url: string;
  /** This measurement's own key prefix. */
  prefix: string;
  /** Retention mode. */
  retention: Retention;
}

/** Starts a peer process for `spec` and waits until it prepared its measurement. */
export async function preparePeer(spec: PeerSpec): Promise<Trial> {
  const child = new Child("node", [RUNNER, JSON.stringify(spec)], `bullmq ${spec.scenario}`);
  try {
    await child.next(); // { ready: true, ... }
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    run: async (): Promise<TrialResult> => {
      await child.send("run");
      return (await child.next()).result as TrialResult;
    },
    block: async (count: number): Promise<BlockResult> => {
      await child.send(`block ${count}`);
      return (await child.next()).block as BlockResult;
    },
    dispose: async () => {
      await child.send("dispose").catch(() => {});
      await child.close();
    },
  };
}
