import assert from "node:assert/strict";
import { UnrecoverableError } from "../mod.ts";
import { assertEnqueued, createTestEngine, drain, refuteEnqueued, runJob } from "../testing.ts";
import { SendEmail } from "./fixtures/readme_functions/send_email.ts";

const hi = { to: "ada@example.com", subject: "Hi" };

Deno.test("send-email: sends to a real address", async () => {
  assert.deepEqual(await runJob(SendEmail, hi), { sent: true });
});

Deno.test("send-email: an .invalid domain fails for good", async () => {
  await assert.rejects(
    () => runJob(SendEmail, { to: "ada@example.invalid", subject: "Hi" }),
    UnrecoverableError,
  );
});

Deno.test("send-email: a delayed email waits for its time, then runs once", async () => {
  await using engine = await createTestEngine({ functions: [SendEmail] });
  await engine.enqueue(SendEmail, hi, { delay: 5_000 });
  await assertEnqueued(engine, {
    job: SendEmail,
    payload: { to: "ada@example.com" },
    queue: "emails",
    priority: "high",
    delay: 5_000,
  });
  assert.deepEqual(await drain(engine), []); // not due yet

  engine.clock.advance(5_000);
  const ran = await drain(engine);
  assert.deepEqual(ran.map((r) => [r.name, r.outcome, r.result]), [
    ["send-email", "completed", { sent: true }],
  ]);
  await refuteEnqueued(engine, { job: SendEmail });
});

Deno.test("send-email: user.created enqueues it; a bad address is dead-lettered, not retried", async () => {
  await using engine = await createTestEngine({ functions: [SendEmail] });
  await engine.emit("user.created", { to: "bob@example.invalid", subject: "Welcome" });
  await assertEnqueued(engine, { job: SendEmail, payload: { to: "bob@example.invalid" } });

  const ran = await drain(engine, { advanceTime: true }); // retries would run too
  assert.deepEqual(ran.map((r) => [r.attempt, r.outcome, r.state]), [[1, "failed", "dead"]]);
  const dead = await engine.deadLetters.list({ queue: "emails" });
  assert.equal(dead.jobs[0]?.error?.message, "no such domain");
});
