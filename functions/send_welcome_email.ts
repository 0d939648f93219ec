/**
 * Example function: pretends to send a welcome email. A job type is one file like this one:
 * drop it into `functions/` and the engine finds it.
 *
 * @module
 */
import { z } from "zod";
import { job, type JobContext } from "../mod.ts";

/** The payload: who to welcome. */
export const WelcomeEmail = z.object({
  to: z.email(),
  name: z.string().min(1),
});

/** Sends (here: logs) a welcome email to a new user; also runs on every `user.created` event. */
@job({
  name: "send-welcome-email",
  payload: WelcomeEmail,
  result: z.object({ messageId: z.string(), attempt: z.number() }),
  queue: "emails",
  priority: "high",
  on: ["user.created"],
})
export class SendWelcomeEmail {
  /** Sends the email. */
  async run(
    { to, name }: z.infer<typeof WelcomeEmail>,
    ctx: JobContext,
  ): Promise<{ messageId: string; attempt: number }> {
    await new Promise((resolve) => setTimeout(resolve, 20)); // the "SMTP round trip"
    ctx.log.debug(`welcome email sent to ${name} <${to}>`); // one line per job: debug detail
    return { messageId: `msg-${ctx.id}`, attempt: ctx.attempt };
  }
}
