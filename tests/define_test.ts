import assert from "node:assert/strict";
import { z } from "zod";
import { define } from "../mod.ts";
import { isJobDefinition } from "../src/registry/definition.ts";
import { resolveEnqueueOptions } from "../src/job/options.ts";

const payload = z.object({ n: z.number() });

Deno.test("define: a valid definition carries its defaults", () => {
  const def = define({ name: "count", payload }, ({ n }) => n + 1);
  assert.ok(isJobDefinition(def));
  assert.equal(def.queue, "default");
  assert.equal(def.priority, "normal");
  assert.equal(def.attempts, 3);
  assert.ok(Object.isFrozen(def));
});

Deno.test("define: bad options throw, naming the function, the option and the value", () => {
  const cases: [Record<string, unknown>, RegExp, ErrorConstructor][] = [
    [{ name: "", payload }, /invalid function name ""/, TypeError],
    [{ name: "has space", payload }, /invalid function name "has space"/, TypeError],
    [
      { name: "f", payload: { parse() {} } },
      /define\("f"\): payload must be a zod schema/,
      TypeError,
    ],
    [{ name: "f", payload, queue: "a b" }, /define\("f"\): queue.*"a b"/, TypeError],
    [{ name: "f", payload, priority: "urgent" }, /define\("f"\): priority.*"urgent"/, TypeError],
    [{ name: "f", payload, attempts: 0 }, /define\("f"\): attempts.*got 0/, RangeError],
    [{ name: "f", payload, cron: "* * * * *" }, /define\("f"\): cron must be an array/, TypeError],
    [{ name: "f", payload, crontab: [] }, /define\("f"\): unknown option "crontab"/, TypeError],
  ];
  for (const [options, message, type] of cases) {
    assert.throws(() => define(options as never, () => {}), (error: unknown) => {
      assert.ok(error instanceof type, `${JSON.stringify(options)} threw ${error}`);
      assert.match((error as Error).message, message);
      return true;
    });
  }
});

Deno.test("enqueue options: delay, runAt and id resolve against the clock", () => {
  const defaults = { queue: "q", priority: "low" as const, attempts: 2 };
  const now = 1_000_000;
  assert.equal(resolveEnqueueOptions({ delay: 1.2 }, defaults, now).runAt, now + 2);
  assert.equal(resolveEnqueueOptions({ runAt: new Date(now + 50) }, defaults, now).runAt, now + 50);
  assert.equal(resolveEnqueueOptions({ runAt: now - 50 }, defaults, now).runAt, now);
  const resolved = resolveEnqueueOptions({ id: "a:b", attempts: 7 }, defaults, now);
  assert.deepEqual(resolved, {
    id: "a:b",
    queue: "q",
    lane: "low",
    runAt: now,
    maxAttempts: 7,
    dependsOn: [],
    onPrerequisiteFailure: "fail",
  });
  assert.match(resolveEnqueueOptions(undefined, defaults, now).id, /^[0-9A-Z]{26}$/);
  assert.throws(() => resolveEnqueueOptions({ id: "a b" }, defaults, now), /id must not contain/);
  assert.throws(() => resolveEnqueueOptions({ id: "" }, defaults, now), /id must not be empty/);
  assert.throws(() => resolveEnqueueOptions({ runAt: NaN }, defaults, now), RangeError);
});
