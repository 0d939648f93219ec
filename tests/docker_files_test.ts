/**
 * The container files (issue 17, item 2), checked offline since Docker is not at hand: the
 * Dockerfile builds in the official Deno image of the version CI pins and runs the compiled
 * binary in a slim image as a non-root user, exposes the gateway's default port, probes `/healthz`
 * and runs existing commands; compose.yaml parses, runs Redis without eviction and with an
 * append-only file, one gateway and two workers, with only commands, options and environment
 * variables the code knows.
 */
import assert from "node:assert/strict";
import config from "../deno.json" with { type: "json" };
import { COMMANDS } from "../src/cli/commands.ts";
import { SERVE_FLAGS } from "../src/cli/config.ts";
import { STOP_GRACE_MS } from "../src/cli/shutdown.ts";
import { workFlags } from "../src/cli/work_flags.ts";
import { readCompose, ROOT } from "./_binary_build.ts";

const read = (path: string) => Deno.readTextFileSync(`${ROOT}${path}`);

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions (continuation lines joined, comments dropped), by stage. */
function stages(text: string): Instruction[][] {
  const joined = text.replace(/\\\n/g, " ").split("\n").map((l) => l.trim());
  const result: Instruction[][] = [];
  for (const line of joined) {
    if (line === "" || line.startsWith("#")) continue;
    const [, keyword, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    const instruction = { keyword: keyword!.toUpperCase(), args: args!.trim() };
    if (instruction.keyword === "FROM") result.push([]);
    assert.ok(result.length > 0, `${line}: before any FROM`);
    result.at(-1)!.push(instruction);
  }
  return result;
}

function only(stage: Instruction[], keyword: string): string {
  const found = stage.filter((i) => i.keyword === keyword);
  assert.equal(found.length, 1, `one ${keyword}`);
  return found[0]!.args;
}

/** Every environment variable the code reads: `Deno.env.get("X")`, and flags' `env: "X"`. */
function envRead(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts")) {
        const text = Deno.readTextFileSync(path);
        for (const m of text.matchAll(/Deno\.env\.get\("([A-Z0-9_]+)"\)|\benv: "([A-Z0-9_]+)"/g)) {
          names.add((m[1] ?? m[2])!);
        }
      }
    }
  };
  walk(`${ROOT}src`);
  return names;
}

/** The long options of command `name`. */
function optionsOf(name: string): Set<string> {
  return new Set(COMMANDS[name]!.flags.flatMap((g) => g.flags.map((f) => f.name)));
}

/** Asserts `words` is an existing command and its existing options. */
function assertCommand(words: string[], where: string): void {
  const [name, ...rest] = words;
  assert.ok(name !== undefined && COMMANDS[name], `${where}: ${name} is a sluice command`);
  const known = optionsOf(name);
  for (const word of rest.filter((w) => w.startsWith("--"))) {
    const option = word.slice(2).split("=")[0]!;
    assert.ok(known.has(option), `${where}: ${name} has no option --${option}`);
  }
}

const GATEWAY_PORT = SERVE_FLAGS.find((f) => f.name === "port")!.default!;
const CI_DENO = /^DENO_VERSION=(\S+)$/m.exec(read(".ci/run"))?.[1];

Deno.test("Dockerfile: builds in the pinned Deno image, runs the binary in a slim one", () => {
  const [build, runtime, ...more] = stages(read("Dockerfile"));
  assert.ok(build && runtime && more.length === 0, "two stages");
  assert.equal(only(build, "FROM"), `denoland/deno:${CI_DENO} AS build`);
  assert.ok(build.some((i) => i.keyword === "RUN" && /\bdeno task compile\b/.test(i.args)));

  assert.match(only(runtime, "FROM"), /^(debian:bookworm-slim|gcr\.io\/distroless\/cc\S*) AS \w+$/);
  const output = /--output (\S+)/.exec(config.tasks.compile)![1]!;
  const copy = only(runtime, "COPY");
  assert.match(copy, new RegExp(`^--from=build /build/${output} (\\S+)$`), "copies the binary");
  const binary = copy.split(" ").at(-1)!;

  const users = runtime.filter((i) => i.keyword === "USER");
  const runtimeRuns = runtime.findLastIndex((i) => i.keyword === "RUN");
  assert.ok(users.length > 0 && runtime.indexOf(users.at(-1)!) > runtimeRuns, "USER after RUN");
  const user = users.at(-1)!.args.split(":")[0]!;
  assert.ok(!["root", "0"].includes(user), `the image runs as ${user}, which must not be root`);

  assert.equal(only(runtime, "EXPOSE"), GATEWAY_PORT);
  const health = only(runtime, "HEALTHCHECK");
  assert.match(health, /\bCMD curl -fsS "http:\/\/127\.0\.0\.1:\$\{[^"]+\}\/healthz"/);
  for (const [, name] of health.matchAll(/\$\{([A-Z_]+)/g)) {
    assert.ok(envRead().has(name!), `the health check's ${name} is read by the code`);
  }
  assert.match(health, new RegExp(`:-${GATEWAY_PORT}\\}`), "falls back to the gateway port");
  assert.equal(only(runtime, "STOPSIGNAL"), "SIGTERM");

  assert.deepEqual(JSON.parse(only(runtime, "ENTRYPOINT")), [binary]);
  const cmd = JSON.parse(only(runtime, "CMD"));
  assert.deepEqual(cmd, ["start"]);
  assertCommand(cmd, "CMD");
});

Deno.test(".dockerignore keeps the sources the compile needs and drops the rest", () => {
  const ignored = read(".dockerignore").split("\n").filter((l) => l && !l.startsWith("#"));
  for (const needed of ["src", "functions", "deno.json", "deno.lock", "mod.ts"]) {
    assert.ok(!ignored.includes(needed), `${needed} is in the build context`);
  }
  for (const dropped of [".git", "dist", "tests", "bench", "node_modules"]) {
    assert.ok(ignored.includes(dropped), `${dropped} is left out`);
  }
});

Deno.test("compose.yaml: Redis without eviction and with AOF, one gateway, two workers", () => {
  const { services, text } = readCompose();
  const { redis, gateway, worker, ...others } = services;
  assert.deepEqual(Object.keys(others), []);

  const redisArgs = redis!.command!.join(" ");
  assert.match(redisArgs, /^redis-server\b/);
  for (
    const setting of ["--maxmemory-policy noeviction", "--appendonly yes", "--appendfsync everysec"]
  ) {
    assert.ok(redisArgs.includes(setting), setting);
  }

  const known = envRead();
  for (const [name, service] of [["gateway", gateway!], ["worker", worker!]] as const) {
    assert.equal(service.build, ".", `${name} is built from the Dockerfile`);
    assertCommand(service.command!, name);
    assert.equal(service.command![0], name, `the ${name} role`);
    assert.equal(service.environment?.REDIS_URL, "redis://redis:6379");
    assert.equal(service.depends_on?.redis?.condition, "service_healthy");
    for (const variable of Object.keys(service.environment ?? {})) {
      assert.ok(known.has(variable), `${name}: ${variable} is read by the code`);
    }
  }
  for (const [, variable] of text.matchAll(/\$\{([A-Z0-9_]+)/g)) {
    assert.ok(known.has(variable!), `\${${variable}} is read by the code`);
  }

  assert.ok(gateway!.environment!.SLUICE_ADMIN_TOKEN, "a token, so the gateway serves 0.0.0.0");
  const port = gateway!.environment!.PORT ?? GATEWAY_PORT;
  assert.deepEqual(gateway!.ports, [`${port}:${port}`]);
  assert.equal(gateway!.deploy?.replicas ?? 1, 1);

  assert.equal(worker!.deploy?.replicas, 2);
  assert.ok(worker!.environment!.SLUICE_METRICS_PORT, "the health check has a port to probe");
  const drainMs = Number(workFlags("").find((f) => f.name === "drain-ms")!.default);
  const grace = /^(\d+)s$/.exec(worker!.stop_grace_period ?? "")?.[1];
  assert.ok(Number(grace) * 1000 >= drainMs + STOP_GRACE_MS, "SIGKILL only after the drain");
});
