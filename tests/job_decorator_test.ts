import assert from "node:assert/strict";
import { z } from "zod";
import {
  createEngine,
  define,
  job,
  type JobContext,
  PayloadValidationError,
  silentLogger,
} from "../mod.ts";
import { isJobClass } from "../src/registry/job_decorator.ts";
import { isJobDefinition } from "../src/registry/definition.ts";
import { definitionOf } from "../src/registry/job_decorator.ts";

const Email = z.object({ to: z.email(), subject: z.string() });

@job({
  name: "send-email",
  payload: Email,
  queue: "emails",
  priority: "high",
  attempts: 5,
  version: 2,
  migrations: { 1: (v1: { to: string }) => ({ ...v1, subject: "(none)" }) },
  codec: "msgpack",
  compression: "gzip",
  on: ["user.created", "user.created", "order.paid"],
})
class SendEmail {
  run({ to, subject }: z.infer<typeof Email>, ctx: JobContext): string {
    return `${ctx.name}:${to}:${subject}`;
  }
}

const Sum = define(
  { name: "sum", payload: z.object({ xs: z.array(z.number()) }) },
  ({ xs }) => xs.reduce((a, b) => a + b, 0),
);

Deno.test("@job: the class carries a checked definition", () => {
  assert.ok(isJobClass(SendEmail));
  assert.ok(!isJobDefinition(SendEmail));
  const definition = definitionOf(SendEmail)!;
  assert.equal(definition.name, "send-email");
  assert.equal(definition.queue, "emails");
  assert.equal(definition.priority, "high");
  assert.equal(definition.attempts, 5);
  assert.equal(definition.version, 2);
  assert.equal(definition.codec, "msgpack");
  assert.equal(definition.compression, "gzip");
  assert.deepEqual(definition.on, ["user.created", "order.paid"]);
  assert.equal(definitionOf(Sum), Sum);
  assert.equal(definitionOf(class {}), undefined);
  class Sub extends SendEmail {}
  assert.ok(!isJobClass(Sub), "a subclass is not the decorated function");
});

Deno.test("@job: bad options throw when the class is defined, naming function, option, value", () => {
  const payload = z.object({});
  const cases: [Record<string, unknown>, RegExp, ErrorConstructor][] = [
    [{ name: "a b", payload }, /@job: invalid function name "a b"/, TypeError],
    [{ name: "f", payload: {} }, /@job\("f"\): payload must be a zod schema/, TypeError],
    [{ name: "f", payload, result: 5 }, /@job\("f"\): result must be a zod schema/, TypeError],
    [{ name: "f", payload, queue: "" }, /@job\("f"\): queue/, TypeError],
    [{ name: "f", payload, priority: "asap" }, /@job\("f"\): priority .*"asap"/, TypeError],
    [{ name: "f", payload, attempts: 1.5 }, /@job\("f"\): attempts .*got 1.5/, RangeError],
    [{ name: "f", payload, version: 0 }, /@job\("f"\): version .*got 0/, RangeError],
    [
      { name: "f", payload, version: 3 },
      /@job\("f"\): version 3 needs migrations\[2\]/,
      RangeError,
    ],
    [
      {
        name: "f",
        payload,
        version: 4,
        migrations: { 1: (x: unknown) => x, 3: (x: unknown) => x },
      },
      /@job\("f"\): migrations have a gap: no migration from version 2 to 3/,
      RangeError,
    ],
    [
      { name: "f", payload, version: 2, migrations: { 2: (x: unknown) => x } },
      /@job\("f"\): migrations key "2" must be a version from 1 to 1/,
      RangeError,
    ],
    [
      { name: "f", payload, version: 2, migrations: { 1: "nope" } },
      /@job\("f"\): migrations\[1\] must be a function/,
      TypeError,
    ],
    [{ name: "f", payload, codec: "xml" }, /@job\("f"\): codec must be one of .*"xml"/, TypeError],
    [{ name: "f", payload, compression: "lz4" }, /@job\("f"\): compression .*"lz4"/, TypeError],
    [{ name: "f", payload, on: "user.created" }, /@job\("f"\): on must be an array/, TypeError],
    [{ name: "f", payload, on: ["bad event"] }, /@job\("f"\): on: invalid event name/, TypeError],
    [{ name: "f", payload, cron: "* * * * *" }, /@job\("f"\): cron must be an array/, TypeError],
    [{ name: "f", payload, crontab: [] }, /@job\("f"\): unknown option "crontab"/, TypeError],
  ];
  for (const [options, message, type] of cases) {
    assert.throws(
      () => {
        @job(options as never)
        class _F {
          run(): void {}
        }
      },
      (error: unknown) => {
        assert.ok(error instanceof type, `${JSON.stringify(options)} threw ${error}`);
        assert.match((error as Error).message, message);
        return true;
      },
    );
  }
});

Deno.test("@job: only classes with a run method", () => {
  const payload = z.object({});
  assert.throws(() => {
    // @ts-expect-error: no run method
    @job({ name: "no-run", payload })
    class _NoRun {}
  }, /@job\("no-run"\): class _NoRun has no run\(payload, ctx\) method/);
  const decorate = job({ name: "m", payload }) as unknown as (
    target: unknown,
    context: { kind: string },
  ) => unknown;
  assert.throws(() => decorate(() => {}, { kind: "method" }), /decorates classes only/);
});

Deno.test("typed enqueue: classes and definitions infer their payloads", async () => {
  const engine = createEngine({ store: "memory://", logger: silentLogger, functions: [SendEmail] });
  engine.register(Sum);
  try {
    await engine.enqueue(SendEmail, { to: "ada@example.com", subject: "hi" });
    await engine.enqueue(Sum, { xs: [1, 2] });
    await engine.enqueue("sum", { xs: [3] });
    // @ts-expect-error: subject must be a string
    await assert.rejects(engine.enqueue(SendEmail, { to: "ada@example.com", subject: 1 }));
    // @ts-expect-error: subject is missing
    await assert.rejects(engine.enqueue(SendEmail, { to: "ada@example.com" }));
    // @ts-expect-error: xs holds numbers
    await assert.rejects(engine.enqueue(Sum, { xs: ["1"] }), PayloadValidationError);
    await assert.rejects(
      engine.enqueue("send-email", { to: "not an email" }),
      PayloadValidationError,
    );
    await assert.rejects(
      () => engine.enqueue("sum", { xs: "1" }),
      (error: unknown) =>
        error instanceof PayloadValidationError && error.issues[0]!.path[0] === "xs",
    );
    assert.equal((await engine.counts("emails")).states.waiting, 1);
    assert.equal((await engine.counts("default")).states.waiting, 2);
  } finally {
    await engine.close();
  }
});

Deno.test("typed @job: run must accept the schema's output type", () => {
  const Payload = z.object({ n: z.number() });
  // @ts-expect-error: run wants a string where the schema gives a number
  @job({ name: "wrong-type", payload: Payload })
  class _Wrong {
    run(p: { n: string }): string {
      return p.n;
    }
  }
  // @ts-expect-error: run wants a field the schema does not give
  @job({ name: "wants-more", payload: Payload })
  class _WantsMore {
    run(p: { n: number; extra: string }): string {
      return p.extra;
    }
  }
  @job({ name: "takes-less", payload: Payload })
  class _TakesLess {
    run(_p: { n: number }): void {}
  }
});
