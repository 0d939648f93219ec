/**
 * The bundle (issue 17, item 1): `deno task bundle` builds one file that runs every command with
 * the compiled binary's permissions, from a folder without the source: `start` serves `/healthz`
 * and runs a job of the function files in its isolates (which start from the bundle itself). It
 * proves the path `deno compile` takes, whose runtime cannot be downloaded here.
 *
 * On Redis, the roles of compose.yaml run from the bundle with that file's commands and
 * environment: a gateway and two workers (with isolates) run a job and answer their health checks.
 *
 * `deno bundle` fetches esbuild from npm once; when it cannot, these tests are skipped, unless
 * SLUICE_REQUIRE_BINARY=1 (CI), where they fail.
 */
import assert from "node:assert/strict";
import { dropNamespace } from "../src/store/redis/redis_store.ts";
import { ServerProcess, sluice } from "./_cli_process.ts";
import { eventually } from "./_node_process.ts";
import { withRedis } from "./_redis_env.ts";
import {
  BINARY_REQUIRED,
  binaryFlags,
  buildArgs,
  buildDir,
  readCompose,
  runDeno,
  startRoundTrip,
} from "./_binary_build.ts";

const dir = await buildDir("sluice-bundle-");
const bundle = `${dir}/sluice.js`;
const built = await runDeno(buildArgs("bundle", bundle));
const noEsbuild = built.code !== 0 &&
  /Failed loading \S+ for package "@esbuild\//.test(built.stderr);
if (noEsbuild && !BINARY_REQUIRED) {
  console.warn(
    "bundle tests skipped: esbuild could not be fetched (SLUICE_REQUIRE_BINARY=1 fails)",
  );
}
/** Runs the bundle as the binary runs: its permissions, from a folder without the source. */
const launch = { prefix: ["run", ...binaryFlags(), bundle], cwd: dir };
const ignore = noEsbuild && !BINARY_REQUIRED;

function assertBuilt(): void {
  assert.equal(built.code, 0, `deno bundle failed:\n${built.stderr}`);
}

Deno.test({
  name: "bundle: start serves /healthz, runs a function-file job in its isolates, stops on SIGTERM",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assertBuilt();
    await startRoundTrip(launch);
  },
});

Deno.test({
  name: "bundle: --version and --help run; manifest refuses to write (it runs its own)",
  ignore,
  fn: async () => {
    assertBuilt();
    const version = await sluice(["--version"], {}, launch);
    assert.equal(version.code, 0, version.stderr.join("\n"));
    assert.match(version.stdout[0]!, /^sluice \d+\.\d+\.\d+ \(deno /);
    const help = await sluice(["--help"], {}, launch);
    assert.equal(help.code, 0, help.stderr.join("\n"));
    for (const command of ["start", "worker", "gateway", "enqueue", "inspect"]) {
      assert.ok(help.stdout.some((l) => l.startsWith(`  ${command} `)), command);
    }
    const manifest = await sluice(["manifest"], {}, launch);
    assert.equal(manifest.code, 1);
    assert.match(manifest.stderr.join("\n"), /runs the manifest built into it/);
  },
});

/** `url` answers `path` with 200 (the answer to a request with no token). */
async function answers(url: string, path: string): Promise<boolean> {
  const response = await fetch(new URL(path, url)).catch(() => null);
  await response?.body?.cancel();
  return response?.status === 200;
}

await withRedis("bundle on Redis", (redisUrl) => {
  Deno.test({
    name:
      "bundle: compose's gateway and two workers run a job on Redis, answer health checks, stop",
    ignore,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      assertBuilt();
      const { services } = readCompose();
      const namespace = `test-bundle-${crypto.randomUUID()}`;
      const token = "test-admin-token";
      // compose's settings, but on the test's Redis, a fresh namespace, loopback and free ports
      const local = { REDIS_URL: redisUrl, SLUICE_NAMESPACE: namespace, PORT: "0" };
      const run = (name: "gateway" | "worker", extra: string[], env: Record<string, string>) => {
        const service = services[name]!;
        const environment = { ...service.environment, ...local, ...env };
        return new ServerProcess([...service.command!, ...extra], environment, launch);
      };
      const gateway = run("gateway", ["--hostname=127.0.0.1"], { SLUICE_ADMIN_TOKEN: token });
      const workers = Array.from(
        { length: services.worker!.deploy!.replicas! },
        () => run("worker", ["--metrics-hostname=127.0.0.1"], { SLUICE_METRICS_PORT: "0" }),
      );
      const all = [gateway, ...workers];
      try {
        const url = await gateway.url();
        assert.ok(await answers(url, "/healthz"));
        assert.ok(await answers(url, "/readyz"));
        const probes = await Promise.all(workers.map(async (worker) => {
          const line = await worker.waitFor(/metrics-listening/, 1, 60_000);
          return JSON.parse(line).url as string;
        }));
        const nodes = await Promise.all(workers.map(async (worker) => {
          return JSON.parse(await worker.waitFor(/node-started/, 1, 60_000)).node as string;
        }));
        for (const probe of probes) await eventually(() => answers(probe, "/healthz"), (ok) => ok);

        const env = { SLUICE_URL: url, SLUICE_ADMIN_TOKEN: token };
        const payload = JSON.stringify({ to: "grace@example.com", name: "Grace" });
        const enqueued = await sluice(["enqueue", "send-welcome-email", payload], env, launch);
        assert.equal(enqueued.code, 0, enqueued.stderr.join("\n"));
        const id = enqueued.stdout[0]!;
        const job = await eventually(
          async () => {
            const out = await sluice(["inspect", id], env, launch);
            return JSON.parse(out.stdout.join("\n") || "{}") as { state?: string; worker?: string };
          },
          (j) => j.state === "completed" || j.state === "dead",
          60_000,
        );
        assert.equal(job.state, "completed", all.flatMap((p) => p.lines).join("\n"));
        assert.ok(nodes.includes(job.worker!), `run by one of the workers, not ${job.worker}`);
      } finally {
        for (const server of all) server.kill("SIGTERM");
        const codes = await Promise.all(all.map(async (p) => (await p.exited).code));
        await dropNamespace(redisUrl, namespace);
        assert.deepEqual(codes, all.map(() => 0), all.flatMap((p) => p.lines).join("\n"));
        for (const worker of workers) assert.ok(worker.lines.some((l) => /node-stopped/.test(l)));
      }
    },
  });
});
