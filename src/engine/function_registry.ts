/**
 * The functions an engine knows: registered definitions and `@job` classes, loaded from a list,
 * a generated manifest or a folder (in the background), found by name or by reference.
 *
 * @module
 */
import { UnknownFunctionError } from "../job/errors.ts";
import type { Logger } from "../job/logger.ts";
import type { JobDefinition } from "../registry/definition.ts";
import { discoverFunctions, functionsFromManifest } from "../registry/discovery.ts";
import type { FunctionSource } from "../registry/function_modules.ts";
import { definitionOf } from "../registry/job_decorator.ts";
import type { JobClass, JobRef } from "../registry/job_ref.ts";
import { type FunctionManifest, isFunctionManifest } from "../registry/manifest.ts";

/** Where an engine's functions come from (see `EngineOptions.functions`). */
export type FunctionsOption = (JobDefinition | JobClass)[] | string | FunctionManifest;

/** The registered functions of one engine. */
export class FunctionRegistry {
  #definitions = new Map<string, JobDefinition>();
  #loading: Promise<void> | null = null;
  #loaded = true;
  /** The folder or manifest the functions came from (isolates load them from there). */
  #source: FunctionSource = null;

  /** Registers functions now (a list or a manifest) or in the background (a folder). */
  constructor(functions: FunctionsOption | undefined, logger: Logger) {
    if (functions === undefined) return;
    if (Array.isArray(functions)) {
      this.register(functions);
    } else if (isFunctionManifest(functions)) {
      this.#source = functions;
      this.register(functionsFromManifest(functions, logger));
    } else if (typeof functions === "string") {
      this.#source = functions;
      this.#loaded = false;
      this.#loading = discoverFunctions(functions, logger).then((found) => {
        this.register(found);
        this.#loaded = true;
      });
      this.#loading.catch(() => {}); // reported by ready(), enqueue and emit
    } else {
      throw new TypeError(
        "createEngine: functions must be an array, a folder path or a generated manifest",
      );
    }
  }

  /** Resolves when a folder's functions are registered; rejects with the loading error. */
  async ready(): Promise<void> {
    await this.#loading;
  }

  /** False while a folder is still being loaded. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** The folder or manifest the functions came from, or null for a list. */
  get source(): FunctionSource {
    return this.#source;
  }

  /** Registers definitions or `@job` classes; a second function with one name throws. */
  register(functions: readonly (JobDefinition | JobClass)[]): void {
    for (const fn of functions) {
      const definition = definitionOf(fn);
      if (!definition) {
        throw new TypeError("register: expected a definition made by define() or a @job class");
      }
      const existing = this.#definitions.get(definition.name);
      if (existing && existing !== definition) {
        throw new TypeError(
          `register: a function named ${JSON.stringify(definition.name)} is registered already`,
        );
      }
      this.#definitions.set(definition.name, definition as JobDefinition);
    }
  }

  /** The definition named `name`, or undefined. */
  get(name: string): JobDefinition | undefined {
    return this.#definitions.get(name);
  }

  /** Every registered definition. */
  all(): JobDefinition[] {
    return [...this.#definitions.values()];
  }

  /** Names of the registered functions, sorted. */
  names(): string[] {
    return [...this.#definitions.keys()].sort();
  }

  /** The definition `job` names or is; throws `UnknownFunctionError` for an unknown name. */
  resolve(job: JobRef): JobDefinition {
    if (typeof job === "string") {
      const found = this.#definitions.get(job);
      if (!found) throw new UnknownFunctionError(job, this.names());
      return found;
    }
    const definition = definitionOf(job);
    if (!definition) {
      throw new TypeError(
        "enqueue: job must be a definition made by define(), a @job class or a function name",
      );
    }
    return definition;
  }
}
