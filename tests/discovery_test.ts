import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createEngine, type FunctionManifest, type Logger } from "../mod.ts";
import { writeManifest } from "../src/registry/manifest.ts";
import { isFunctionFile, listFunctionFiles } from "../src/registry/function_files.ts";
import { manifestProblem } from "../src/registry/manifest.ts";

const MOD = new URL("../mod.ts", import.meta.url).href;
const FIXTURE = new URL("./fixtures/functions/resize_image.ts", import.meta.url);

/** A temporary functions folder; `copy` puts the fixture in it, `write` any source text. */
async function functionsFolder(): Promise<{
  dir: string;
  copy(as: string): Promise<void>;
  write(as: string, source: string): Promise<void>;
}> {
  const dir = join(await Deno.makeTempDir({ prefix: "sluice-functions-" }), "functions");
  const write = async (as: string, source: string) => {
    await Deno.mkdir(join(dir, as, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, as), source.replaceAll('"../../../mod.ts"', `"${MOD}"`));
  };
  await Deno.mkdir(dir, { recursive: true });
  return { dir, write, copy: async (as) => write(as, await Deno.readTextFile(FIXTURE)) };
}

function namedFunction(name: string): string {
  return `import { z } from "zod";
import { define } from "../../../mod.ts";
export const Fn = define({ name: ${JSON.stringify(name)}, payload: z.object({}) }, () => "${name}");
`;
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (message) => warnings.push(message) };
}

Deno.test("discovery: a new file in functions/ runs, with no list to edit", async () => {
  const folder = await functionsFolder();
  await folder.copy("resize_image.ts");
  const engine = createEngine({
    store: "memory://",
    functions: folder.dir,
    logger: recordingLogger(),
  });
  try {
    await engine.ready();
    assert.deepEqual(engine.functionNames(), ["resize-image"]);
    const progress: number[] = [];
    engine.on("progress", (e) => progress.push(e.percent));
    const worker = engine.work({ idlePollMs: 20 });
    const id = await engine.enqueue("resize-image", { url: "/cat.png", width: 64 });
    let job = await engine.getJob(id);
    for (let i = 0; i < 500 && job?.state !== "completed"; i++) {
      await new Promise((r) => setTimeout(r, 10));
      job = await engine.getJob(id);
    }
    await worker.stop();
    assert.equal(job?.state, "completed");
    assert.deepEqual(job?.result, { url: "/cat.png?w=64" });
    assert.deepEqual(progress, [100]);
  } finally {
    await engine.close();
  }
});

Deno.test("discovery: nested files count; _-prefixed, tests and empty files do not", async () => {
  const folder = await functionsFolder();
  await folder.copy("media/resize_image.ts");
  await folder.write("mail/welcome.ts", namedFunction("welcome"));
  await folder.write("_shared.ts", namedFunction("shared-helper"));
  await folder.write("_internal/hidden.ts", namedFunction("hidden"));
  await folder.write("welcome_test.ts", "throw new Error('a test file was imported');");
  await folder.write("README.md", "not code");
  await folder.write("constants.ts", "export const RETRIES = 3;\n");
  const logger = recordingLogger();
  const engine = createEngine({ store: "memory://", functions: folder.dir, logger });
  await engine.ready();
  assert.deepEqual(engine.functionNames(), ["resize-image", "welcome"]);
  assert.equal(logger.warnings.length, 1);
  assert.match(logger.warnings[0]!, /constants\.ts exports no job/);
  await engine.close();
});

Deno.test("discovery: two functions with one name stop start-up, naming both files", async () => {
  const folder = await functionsFolder();
  await folder.write("a/notify.ts", namedFunction("notify"));
  await folder.write("b/notify.ts", namedFunction("notify"));
  const engine = createEngine({
    store: "memory://",
    functions: folder.dir,
    logger: recordingLogger(),
  });
  await assert.rejects(
    engine.ready(),
    /two functions are named "notify": a\/notify\.ts and b\/notify\.ts/,
  );
  await assert.rejects(engine.enqueue("notify", {}), /two functions are named "notify"/);
  assert.throws(() => engine.work(), /still loading/);
  await engine.close();
  const missing = createEngine({ store: "memory://", functions: join(folder.dir, "nope") });
  await assert.rejects(missing.ready(), /cannot read the folder/);
  await missing.close();
});

Deno.test("manifest: lists every function file, loads without a scan; staleness is reported where it matters", async () => {
  const folder = await functionsFolder();
  await folder.copy("resize_image.ts");
  await folder.write("mail/welcome.ts", namedFunction("welcome"));
  const { files } = await writeManifest(folder.dir);
  assert.deepEqual(files, ["mail/welcome.ts", "resize_image.ts"]);
  const url = pathToFileURL(join(folder.dir, "_manifest.gen.ts")).href;
  const { manifest } = await import(url) as { manifest: FunctionManifest };
  const fromManifest = createEngine({ store: "memory://", functions: manifest });
  assert.deepEqual(fromManifest.functionNames(), ["resize-image", "welcome"]);
  await fromManifest.close();

  const fresh = recordingLogger();
  const current = createEngine({ store: "memory://", functions: folder.dir, logger: fresh });
  await current.ready();
  await current.close();
  assert.deepEqual(fresh.warnings, []);
  await folder.write("mail/goodbye.ts", namedFunction("goodbye"));
  const stale = recordingLogger();
  const engine = createEngine({ store: "memory://", functions: folder.dir, logger: stale });
  await engine.ready();
  assert.deepEqual(engine.functionNames(), ["goodbye", "resize-image", "welcome"]);
  assert.deepEqual(stale.warnings, [], "running from the folder, the manifest does not matter");
  await engine.close();
  const problem = await manifestProblem(folder.dir, await listFunctionFiles(folder.dir));
  assert.match(problem ?? "", /_manifest\.gen\.ts is stale; it lacks mail\/goodbye\.ts/);
});

Deno.test("function files: the naming rule", () => {
  for (const file of ["a.ts", "deep/er/b.ts"]) assert.ok(isFunctionFile(file), file);
  for (const file of ["_a.ts", "x/_b.ts", "_x/c.ts", "a_test.ts", "a.test.ts", "a.d.ts", "a.js"]) {
    assert.ok(!isFunctionFile(file), file);
  }
});
