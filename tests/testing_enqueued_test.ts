/**
 * The testing kit's enqueue assertions: `assertEnqueued` by definition, class or name, with a
 * payload subset, queue, lane and delay; its failure message (the nearest jobs and how they
 * differ, matching jobs that ran already); `refuteEnqueued`; `allEnqueued`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { define, job, type JobContext } from "../mod.ts";
import {
  allEnqueued,
  assertEnqueued,
  createTestEngine,
  drain,
  EnqueuedAssertionError,
  refuteEnqueued,
} from "../testing.ts";

const Email = z.object({
  to: z.string(),
  subject: z.string(),
  tags: z.array(z.string()).default([]),
});

/** A `@job` class. */
@job({ name: "send-email", payload: Email, queue: "emails" })
class SendEmail {
  run(_payload: z.input<typeof Email>, _ctx: JobContext): void {}
}

const Resize = define({ name: "resize", payload: z.object({ width: z.number() }) }, () => {});

async function engineWithMail() {
  const engine = await createTestEngine({ functions: [SendEmail, Resize] });
  await engine.enqueue(SendEmail, { to: "ada@example.com", subject: "Hi" }, { id: "mail-1" });
  await engine.enqueue(SendEmail, { to: "bob@example.com", subject: "Yo", tags: ["x"] }, {
    id: "mail-2",
    priority: "high",
    delay: 60_000,
  });
  await engine.enqueue(Resize, { width: 64 }, { id: "resize-1" });
  return engine;
}

Deno.test("assertEnqueued: finds a job by class, name or definition; payload is a subset", async () => {
  await using engine = await engineWithMail();
  const found = await assertEnqueued(engine, {
    job: SendEmail,
    payload: { to: "bob@example.com" },
  });
  assert.equal(found.id, "mail-2");
  assert.equal(
    (await assertEnqueued(engine, { job: "send-email", priority: "high", delay: 60_000 })).id,
    "mail-2",
  );
  assert.equal((await assertEnqueued(engine, { job: Resize, queue: "default" })).id, "resize-1");
  // the stored payload is the schema's output: defaults filled
  await assertEnqueued(engine, { job: SendEmail, payload: { to: "ada@example.com", tags: [] } });
  await assert.rejects(
    () => assertEnqueued(engine, { job: SendEmail, payload: { tags: ["x", "y"] } }),
    EnqueuedAssertionError,
  );
});

Deno.test("assertEnqueued: the message shows the nearest jobs and how each differs", async () => {
  await using engine = await engineWithMail();
  const error = await assertEnqueued(engine, {
    job: SendEmail,
    payload: { to: "bob@example.com", subject: "Hi" },
    delay: 0,
  }).then(() => null, (e: unknown) => e);
  assert.ok(error instanceof EnqueuedAssertionError);
  assert.equal(
    error.message,
    [
      'assertEnqueued: no enqueued job is send-email with delay 0 ms, payload {"to":"bob@example.com","subject":"Hi"}.',
      "3 jobs are enqueued (waiting, delayed or blocked), 2 of send-email; the nearest:",
      '  - mail-1 send-email (waiting), queue "emails", priority normal, delay 0 ms, payload {"to":"ada@example.com","subject":"Hi","tags":[]}',
      '      but payload.to is "ada@example.com", expected "bob@example.com"',
      '  - mail-2 send-email (delayed), queue "emails", priority high, delay 60000 ms, payload {"to":"bob@example.com","subject":"Yo","tags":["x"]}',
      '      but delay is 60000 ms; payload.subject is "Yo", expected "Hi"',
      '  - resize-1 resize (waiting), queue "default", priority normal, delay 0 ms, payload {"width":64}',
      '      but function is resize; payload.to is (missing), expected "bob@example.com"; payload.subject is (missing), expected "Hi"',
    ].join("\n"),
  );
});

Deno.test("assertEnqueued: says when nothing is enqueued, and when matching jobs ran already", async () => {
  await using engine = await createTestEngine({ functions: [Resize] });
  await assert.rejects(
    () => assertEnqueued(engine, { job: Resize }),
    {
      message: "assertEnqueued: no enqueued job is resize.\n" +
        "No job is enqueued (waiting, delayed or blocked).",
    },
  );
  await engine.enqueue(Resize, { width: 1 });
  await drain(engine);
  await assert.rejects(() => assertEnqueued(engine, { job: Resize, payload: { width: 1 } }), {
    message: 'assertEnqueued: no enqueued job is resize with payload {"width":1}.\n' +
      "No job is enqueued (waiting, delayed or blocked).\n" +
      "Matching jobs that are not enqueued any more: 1 completed (did a drain run them?).",
  });
});

Deno.test("refuteEnqueued: passes when none matches, lists those that do", async () => {
  await using engine = await engineWithMail();
  await refuteEnqueued(engine, { job: SendEmail, payload: { to: "eve@example.com" } });
  await refuteEnqueued(engine, { job: Resize, queue: "emails" });
  await assert.rejects(() => refuteEnqueued(engine, { queue: "emails" }), {
    name: "EnqueuedAssertionError",
    message: 'refuteEnqueued: 2 enqueued jobs are a job of any function with queue "emails":\n' +
      '  - mail-1 send-email (waiting), queue "emails", priority normal, delay 0 ms, payload {"to":"ada@example.com","subject":"Hi","tags":[]}\n' +
      '  - mail-2 send-email (delayed), queue "emails", priority high, delay 60000 ms, payload {"to":"bob@example.com","subject":"Yo","tags":["x"]}',
  });
  await drain(engine, { advanceTime: true });
  await refuteEnqueued(engine);
});

Deno.test("allEnqueued: the matching jobs, oldest first", async () => {
  await using engine = await engineWithMail();
  assert.deepEqual((await allEnqueued(engine)).map((j) => j.id), ["mail-1", "mail-2", "resize-1"]);
  assert.deepEqual((await allEnqueued(engine, { job: SendEmail })).map((j) => j.id), [
    "mail-1",
    "mail-2",
  ]);
  assert.deepEqual(
    (await allEnqueued(engine, { job: SendEmail, payload: { tags: ["x"] } })).map((j) => j.id),
    ["mail-2"],
  );
  assert.deepEqual(await allEnqueued(engine, { queue: "nowhere" }), []);
  // @ts-expect-error: the payload subset is typed by the function's schema
  assert.deepEqual(await allEnqueued(engine, { job: Resize, payload: { width: "64" } }), []);
});

Deno.test("enqueue assertions: a bad filter is refused, naming the field", async () => {
  await using engine = await createTestEngine();
  await assert.rejects(() => assertEnqueued(engine, {} as never), /give the job/);
  await assert.rejects(
    () => allEnqueued(engine, { jobs: "x" } as never),
    /unknown filter field "jobs"/,
  );
  await assert.rejects(() => allEnqueued(engine, { priority: "urgent" as never }), /lane name/);
  await assert.rejects(() => allEnqueued(engine, { delay: -1 }), RangeError);
  await assert.rejects(
    () => allEnqueued(engine, { job: {} as never }),
    /definition made by define/,
  );
});
