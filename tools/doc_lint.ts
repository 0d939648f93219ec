/**
 * `deno task doc-lint`: runs `deno doc --lint` on every entry point and fails on any problem,
 * except references to the types of the libraries Sluice's API is written in (zod schemas in
 * definitions, ioredis clients and clusters, Hono apps, prom-client registries), which `deno doc` cannot see
 * as public because they are not Sluice's to export.
 *
 * @module
 */

/** The package's entry points (`deno.json` exports). */
const ENTRIES = ["mod.ts", "store.ts", "codec.ts", "gateway.ts", "testing.ts"];

/** Types of dependencies that public signatures may name. */
const THIRD_PARTY_TYPES = new Set([
  "ZodType",
  "input",
  "output",
  "Redis",
  "Cluster",
  "OpenAPIHono",
  "Registry",
]);

const { stderr, stdout } = await new Deno.Command(Deno.execPath(), {
  args: ["doc", "--lint", ...ENTRIES],
  env: { NO_COLOR: "1" },
}).output();
const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
const problems = text.split("\n").filter((line) => /^error\[/.test(line));
const real = problems.filter((line) => {
  const ref = /^error\[private-type-ref\]: .* references private type '([^']+)'/.exec(line);
  return !(ref && THIRD_PARTY_TYPES.has(ref[1]!));
});
console.log(
  `deno doc --lint ${ENTRIES.join(" ")}: ${problems.length} problem(s), ` +
    `${problems.length - real.length} of them references to dependencies' types`,
);
if (real.length > 0) {
  console.error(text);
  console.error(`${real.length} problem(s) to fix:\n${real.join("\n")}`);
  Deno.exit(1);
}
