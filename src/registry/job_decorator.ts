/**
 * The `@job({...})` class decorator: thin sugar over `define()`. A function file exports a class
 * with `run(payload, ctx)`; `@job` checks the options when the class is defined, and makes a
 * definition whose handler runs `new TheClass().run(payload, ctx)` (one instance per attempt).
 * The class itself is then accepted by `engine.register`, `engine.enqueue` and discovery.
 *
 * Typing: TypeScript does not let a decorator change a class's type, so the class keeps its own
 * `run` signature. `@job` requires that `run` accept the schema's output type (a mismatch is a
 * compile error at the decorator), and `engine.enqueue(TheClass, payload)` checks `payload`
 * against `run`'s parameter type.
 *
 * @example A function file
 * ```ts
 * import { z } from "zod";
 * import { job, type JobContext } from "../mod.ts";
 *
 * const Payload = z.object({ to: z.email() });
 *
 * @job({ name: "send-email", payload: Payload, queue: "emails" })
 * export class SendEmail {
 *   run({ to }: z.infer<typeof Payload>, ctx: JobContext): { sent: string } {
 *     ctx.log.info(`sending to ${to}`);
 *     return { sent: to };
 *   }
 * }
 * ```
 *
 * @module
 */
import type { z } from "zod";
import {
  buildDefinition,
  type DefineOptions,
  type JobContext,
  type JobDefinition,
} from "./definition.ts";
import { isJobDefinition } from "./definition.ts";
import type { JobClass } from "./job_ref.ts";

const CLASS_DEFINITION = Symbol.for("sluice.jobClass");

/** The classes `@job` accepts for schema `S`: `run` must take the schema's output type. */
export type JobClassFor<S extends z.ZodType> = new () => {
  run: (payload: z.output<S>, ctx: JobContext) => unknown;
};

/** The decorator `job(options)` returns. */
export type JobDecorator<S extends z.ZodType> = <C extends JobClassFor<S>>(
  target: C,
  context: ClassDecoratorContext<C>,
) => C;

/**
 * Class decorator making the class a job function; `options` are those of `define`. A bad option,
 * or a class without a `run` method, throws a `TypeError`/`RangeError` naming the function when
 * the class is defined.
 */
export function job<S extends z.ZodType>(options: DefineOptions<S>): JobDecorator<S> {
  return (target, context) => {
    const label = typeof options?.name === "string" ? JSON.stringify(options.name) : "?";
    if (context?.kind !== "class" || typeof target !== "function") {
      throw new TypeError(`@job(${label}) decorates classes only`);
    }
    if (typeof target.prototype?.run !== "function") {
      throw new TypeError(
        `@job(${label}): class ${target.name || "(anonymous)"} has no run(payload, ctx) method`,
      );
    }
    const definition = buildDefinition(
      options,
      (payload, ctx) => new target().run(payload, ctx),
      "@job",
    );
    Object.defineProperty(target, CLASS_DEFINITION, { value: definition });
    return target;
  };
}

/** True when `value` is a class decorated with `@job`. */
export function isJobClass(value: unknown): value is JobClass {
  return typeof value === "function" && Object.hasOwn(value, CLASS_DEFINITION);
}

/** The definition behind a definition or a `@job` class, or undefined for anything else. */
export function definitionOf(value: unknown): JobDefinition | undefined {
  if (isJobDefinition(value)) return value;
  if (isJobClass(value)) {
    return (value as unknown as Record<symbol, JobDefinition>)[CLASS_DEFINITION];
  }
  return undefined;
}
