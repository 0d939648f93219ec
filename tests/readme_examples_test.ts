/**
 * The README's examples of the testing kit are real code: its `functions/send_email.ts` is the
 * fixture `tests/fixtures/readme_functions/send_email.ts`, and its example test is
 * `tests/send_email_test.ts`, line for line but for comment lines and the paths of relative
 * imports (a file in `tests/` reaches the function through its fixture folder). Its function file
 * `functions/send_welcome_email.ts` is the one that ships in `functions/`.
 *
 * @module
 */
import assert from "node:assert/strict";

const README = new URL("../README.md", import.meta.url);

/** The README's TypeScript code block whose first line is `// <label>`. */
function readmeBlock(readme: string, label: string): string {
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const block = blocks.find((b) => b.startsWith(`// ${label}\n`));
  assert.ok(block, `the README has a ts block starting with "// ${label}"`);
  return block;
}

/** `code` without comment lines and blank lines, relative import paths cut to their file name. */
function normalized(code: string): string[] {
  return code.split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("//"))
    .map((line) => line.replace(/from "(\.\.?\/)[^"]*?([^/"]+)"/, 'from "$2"'));
}

async function assertSameCode(label: string, file: string): Promise<void> {
  const readme = await Deno.readTextFile(README);
  const code = await Deno.readTextFile(new URL(file, import.meta.url));
  assert.deepEqual(normalized(code), normalized(readmeBlock(readme, label)));
}

Deno.test("README: the send-email function is the one the example test tests", async () => {
  await assertSameCode("functions/send_email.ts", "./fixtures/readme_functions/send_email.ts");
});

Deno.test("README: the testing example is tests/send_email_test.ts", async () => {
  await assertSameCode("tests/send_email_test.ts", "./send_email_test.ts");
});

Deno.test("README: the function file shown is functions/send_welcome_email.ts", async () => {
  await assertSameCode("functions/send_welcome_email.ts", "../functions/send_welcome_email.ts");
});
