/**
 * How producers name a function: by definition (`define`), by `@job` class, or by registered
 * name; and the payload type each of these accepts at enqueue.
 *
 * @module
 */
import type { z } from "zod";
import type { EnqueueOptions } from "../job/options.ts";
import type { JobContext, JobDefinition } from "./definition.ts";

/** A class whose instances run jobs: what `@job` decorates. */
// deno-lint-ignore no-explicit-any
export type JobClass<P = any> = abstract new () => {
  run(payload: P, ctx: JobContext): unknown;
};

/** A function given by definition, by `@job` class, or by registered name. */
// deno-lint-ignore no-explicit-any
export type JobRef = JobDefinition<any, any> | JobClass | string;

/**
 * The payload type a function accepts at enqueue: the schema's input for a definition, the
 * `run` parameter for a `@job` class (which `@job` checks against the schema), `unknown` by name.
 */
export type PayloadOf<D> = D extends JobDefinition<infer S, unknown> ? z.input<S>
  // deno-lint-ignore no-explicit-any
  : D extends abstract new () => { run(payload: infer P, ...rest: any[]): unknown } ? P
  : unknown;

/** What a function returns: its handler's result for a definition, its `run`'s for a class. */
export type ResultOf<D> = D extends JobDefinition<infer _S, infer R> ? Awaited<R>
  // deno-lint-ignore no-explicit-any
  : D extends abstract new () => { run(...args: any[]): infer R } ? Awaited<R>
  : unknown;

/** `enqueue` as the engine and a job's `ctx` offer it: typed by reference, checked by name. */
export interface Enqueue {
  /** Enqueues one job of a function given by definition or class; the payload type is checked. */
  // deno-lint-ignore no-explicit-any
  <D extends JobDefinition<any, any> | JobClass>(
    job: D,
    payload: PayloadOf<D>,
    options?: EnqueueOptions,
  ): Promise<string>;
  /** Enqueues one job of a registered function by name; the payload is checked at run time. */
  (job: string, payload: unknown, options?: EnqueueOptions): Promise<string>;
}
