/**
 * The permissions an isolate starts with. Default: no `deno` worker option at all, so the isolate
 * shares the node's permissions and no unstable flag is needed. With a declared set (which needs
 * `--unstable-worker-options`, or `"unstable": ["worker-options"]` in deno.json; without it Deno
 * exits the whole process when the worker is created), the isolate gets its own copy: the
 * declared set plus what loading the code needs (read access to the function modules' folders
 * and Sluice's source, since dynamically imported modules and their imports need it; the one
 * environment variable msgpackr reads when it loads). Once the code is loaded the isolate revokes
 * those extra grants, so jobs run with only the declared permissions.
 *
 * @module
 */
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Worker options for an isolate, and the grants it revokes after loading its modules. */
export interface IsolatePermissionPlan {
  /** Options for `new Worker`. */
  workerOptions: WorkerOptions;
  /** Grants given only to load the code: revoked once the modules are loaded. */
  revoke: Deno.PermissionDescriptor[];
}

const SLUICE_ROOT = resolve(fileURLToPath(new URL("../../", import.meta.url)));

/** Environment variables read while Sluice's own modules load (msgpackr checks this one). */
const LOAD_ENV = ["MSGPACKR_NATIVE_ACCELERATION_DISABLED"];

/** The plan for an isolate named `name` loading `modules` with `permissions` (undefined: share). */
export function planIsolatePermissions(
  name: string,
  modules: readonly string[],
  permissions: Deno.PermissionOptions | undefined,
): IsolatePermissionPlan {
  const base: WorkerOptions = { type: "module", name };
  const withPermissions = (set: Deno.PermissionOptions): WorkerOptions =>
    ({ ...base, deno: { permissions: set } }) as WorkerOptions;
  if (permissions === undefined) return { workerOptions: base, revoke: [] };
  if (permissions === "inherit") return { workerOptions: withPermissions("inherit"), revoke: [] };
  const set: Deno.PermissionOptionsObject = permissions === "none" ? {} : { ...permissions };
  const revoke: Deno.PermissionDescriptor[] = [];
  if (!grantsAll(set.read)) {
    const listed = Array.isArray(set.read) ? set.read.map(toPath) : [];
    const codeRoots = [
      ...new Set([
        SLUICE_ROOT,
        ...modules.filter((m) => m.startsWith("file:")).map((m) => dirname(fileURLToPath(m))),
      ]),
    ];
    const extra = codeRoots.filter((root) => !listed.some((path) => covers(path, root)));
    set.read = [...listed, ...extra];
    revoke.push(...extra.map((path) => ({ name: "read" as const, path })));
  }
  if (!grantsAll(set.env)) {
    const listed = Array.isArray(set.env) ? set.env : [];
    const extra = LOAD_ENV.filter((variable) => !listed.includes(variable));
    set.env = [...listed, ...extra];
    revoke.push(...extra.map((variable) => ({ name: "env" as const, variable })));
  }
  return { workerOptions: withPermissions(set), revoke };
}

function grantsAll(grant: unknown): boolean {
  return grant === true || grant === "inherit";
}

function toPath(entry: string | URL): string {
  const text = entry instanceof URL ? entry.href : entry;
  return text.startsWith("file:") ? fileURLToPath(text) : resolve(text);
}

function covers(parent: string, path: string): boolean {
  return path === parent || path.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}
