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
 * `{ op: "select", selector, value }` (picks an option), `{ op: "width", selector }` (its box's
 * width in px),
 * `{ op: "viewport", width, height }` (the window's size), `{ op: "overflow" }` (the document's
 * and every element's horizontal overflow: `{ viewport, document, elements }`, the elements
 * whose content is wider than their box, by selector), `{ op: "screenshot", path }`,
 * `{ op: "close" }`. A dialog the page opens (`alert(...)`) is
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
  | { op: "select"; selector: string; value: string }
  | { op: "width"; selector: string }
  | { op: "viewport"; width: number; height: number }
  | { op: "overflow" }
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
    case "select":
      await page.locator(command.selector).first().selectOption(command.value);
      return null;
    case "width":
      return (await page.locator(command.selector).first().boundingBox())?.width ?? null;
    case "viewport":
      await page.setViewportSize({ width: command.width, height: command.height });
      return null;
    case "overflow":
      return await page.evaluate(MEASURE_OVERFLOW);
    case "screenshot":
      await page.screenshot({ path: command.path, fullPage: true });
      return command.path;
    case "close":
      return null;
  }
}

/**
 * Runs in the page (as text: this file is checked without the DOM types): the window's width and
 * the document's, the elements that scroll sideways or stick out of their box (panels), and the
 * table columns cut off (past their panel's right edge, squeezed under 16 px, or a heading that
 * does not fit), by short names.
 */
const MEASURE_OVERFLOW = `(() => {
  const shown = (el) => el.getClientRects().length > 0;
  const name = (el) =>
    el.id ? "#" + el.id : el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
  const wide = (el) => el.scrollWidth > el.clientWidth + 1;
  const all = [...document.querySelectorAll("body *")].filter(shown);
  const scrollers = all.filter((el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
    .filter(wide).map(name);
  const panels = all.filter((el) => el.matches("main, section, aside")).filter(wide).map(name);
  const cutColumns = [...document.querySelectorAll("th")].filter(shown).filter((th) => {
    const panel = th.closest("section, aside").getBoundingClientRect();
    const cell = th.getBoundingClientRect();
    return cell.right > panel.right + 1 || cell.width < 16 || th.scrollWidth > th.clientWidth + 1;
  }).map((th) => name(th.closest("section, aside")) + " " + th.textContent);
  return {
    viewport: window.innerWidth,
    document: document.documentElement.scrollWidth,
    scrollers,
    panels,
    cutColumns,
  };
})()`;

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
