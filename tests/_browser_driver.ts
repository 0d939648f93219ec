/**
 * A headless Chromium driven by playwright-core, in a process of its own: playwright-core probes
 * `/proc` when it loads, which Deno allows only with `--allow-all`, so the test suite (with its
 * narrower permissions) runs this file with `-A` and sends it one JSON command per stdin line;
 * it answers one JSON line per command on stdout: `{ "ok": true, "value": ... }` or
 * `{ "ok": false, "error": "..." }`.
 *
 * Commands: `{ op: "goto", url, token? }` (the token goes to localStorage first, as the dashboard
 * keeps it), `{ op: "waitFor", selector, text?, timeoutMs? }`, `{ op: "click", selector }`,
 * `{ op: "text", selector }`, `{ op: "count", selector }` (how many elements match),
 * `{ op: "screenshot", path }`, `{ op: "close" }`. A dialog the page opens (`alert(...)`) is
 * dismissed and reported with the page errors.
 *
 * @module
 */
import { chromium, type Page } from "playwright-core";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

type Command =
  | { op: "goto"; url: string; token?: string }
  | { op: "waitFor"; selector: string; text?: string; timeoutMs?: number }
  | { op: "click"; selector: string }
  | { op: "text"; selector: string }
  | { op: "count"; selector: string }
  | { op: "screenshot"; path: string }
  | { op: "close" };

async function run(page: Page, command: Command): Promise<unknown> {
  switch (command.op) {
    case "goto":
      if (command.token) {
        await page.addInitScript((t) => localStorage.setItem("sluice.token", t), command.token);
      }
      await page.goto(command.url);
      return null;
    case "waitFor": {
      const locator = page.locator(command.selector);
      const target = command.text ? locator.filter({ hasText: command.text }) : locator;
      await target.first().waitFor({ timeout: command.timeoutMs ?? 15_000 });
      return null;
    }
    case "click":
      await page.locator(command.selector).first().click();
      return null;
    case "text":
      return await page.locator(command.selector).first().textContent();
    case "count":
      return await page.locator(command.selector).count();
    case "screenshot":
      await page.screenshot({ path: command.path, fullPage: true });
      return command.path;
    case "close":
      return null;
  }
}

const userDataDir = await Deno.makeTempDir({ prefix: "sluice-chromium-" });
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium",
  headless: true,
  args: ARGS,
});
const page = await context.newPage();
const errors: string[] = [];
page.on("pageerror", (error) => errors.push(String(error)));
page.on("dialog", (dialog) => {
  errors.push(`the page opened a ${dialog.type()} dialog: ${dialog.message()}`);
  void dialog.dismiss();
});
const write = (line: unknown) =>
  Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(line) + "\n"));
write({ ok: true, value: "ready" });
let buffer = "";
for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  buffer += chunk;
  let end;
  while ((end = buffer.indexOf("\n")) >= 0) {
    const command = JSON.parse(buffer.slice(0, end)) as Command;
    buffer = buffer.slice(end + 1);
    try {
      const value = await run(page, command);
      write({ ok: true, value, pageErrors: errors.splice(0) });
    } catch (error) {
      write({ ok: false, error: String(error), pageErrors: errors.splice(0) });
    }
    if (command.op === "close") {
      await context.close();
      await Deno.remove(userDataDir, { recursive: true });
      Deno.exit(0);
    }
  }
}
