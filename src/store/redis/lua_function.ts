/**
 * A store script as a Redis Function library (Redis 7+: `FUNCTION LOAD` once, `FCALL` at each
 * call). Under EVALSHA, Redis runs a script's whole chunk at every call, so every library
 * function is built again each time: 25 to 42 µs of Redis time a call for `enqueue`, `reserve`
 * and `complete` on the bench machine (`deno task bench:call-setup`), 10 to 21 as functions. A
 * function library's chunk runs once, when it is loaded.
 *
 * The scripts are written for EVAL, where each call starts from a fresh chunk. The library keeps
 * exactly that, by a mechanical rewrite of the script's (pruned) libraries:
 *
 * - a top-level `local function` is defined once, at load;
 * - a block whose comment just above (no blank line between) holds a line `-- @load` runs once,
 *   at load: a table that no call writes (a constant, a hook list), a statement that only fills
 *   one (a hook registration), or a memo of a pure function that stays right from call to call
 *   (kept bounded by its own code). What a call starts from is then what an EVAL starts from,
 *   without building it again (a table costs its allocation and its collection, some 700 Redis
 *   instructions). Such a value may not name `KEYS`, `ARGV` or a per-call local: at load they
 *   hold nothing yet;
 * - every other top-level block (state such as `local P = KEYS[1]`, and statements) is declared
 *   at load without its value, and runs at every call, in its order, before the body: a call
 *   starts from the state an EVAL starts from;
 * - `KEYS` and `ARGV` are locals of the library, set from FCALL's arguments at each call;
 * - the script's body is the function's body.
 *
 * Lua 5.1 allows a function at most 60 upvalues, so the per-call blocks are spread over as many
 * reset functions as that takes.
 *
 * @module
 */
import { type Block, namesOf, splitBlocks } from "./lua_prune.ts";

/** Lua 5.1's limit of upvalues a function may have. */
const MAX_UPVALUES = 60;
/** Most library locals one reset function refers to, under `MAX_UPVALUES`. */
const MAX_NAMES_PER_RESET = 48;

/** A store script made into a function library. */
export interface FunctionLibrary {
  /** The library's and its one function's name: `sluice_<script>_<hash>`. */
  name: string;
  /** The library's code, for `FUNCTION LOAD`. */
  code: string;
}

/**
 * The function library `name` running `body` (a script's own text) after `libraries` (its
 * pruned libraries, joined). Throws when a top-level local is declared twice (a per-call block
 * could then assign another variable than the one it declared), and when the body refers to
 * more library locals than a Lua function may have upvalues (such a script stays a plain one).
 */
export function functionLibrary(name: string, libraries: string, body: string): string {
  const blocks = splitBlocks(libraries);
  const declared = new Set<string>();
  const atLoad: string[] = ["local KEYS, ARGV"];
  const perCall: PerCall[] = [];
  checkLoadBlocks(name, blocks);
  for (const block of blocks) {
    for (const local of block.defines) {
      if (declared.has(local)) {
        throw new Error(`script ${name}: the libraries declare ${local} twice at top level`);
      }
      declared.add(local);
    }
    if (block.isFunction || isLoadOnce(block)) {
      atLoad.push(block.text);
    } else if (block.defines.length > 0) {
      atLoad.push(`local ${block.defines.join(", ")}`);
      perCall.push({ code: assignmentOf(block), names: block.names });
    } else {
      perCall.push({ code: block.text, names: block.names });
    }
  }
  declared.add("KEYS").add("ARGV");
  const bodyUpvalues = [...namesOf(body)].filter((n) => declared.has(n)).length;
  if (bodyUpvalues > MAX_UPVALUES) {
    throw new Error(
      `script ${name}: its body refers to ${bodyUpvalues} library locals, more than the ` +
        `${MAX_UPVALUES} upvalues a Lua function may have: run it as a plain script`,
    );
  }
  const resets = resetFunctions(perCall, declared);
  const calls = resets.map((_, i) => `__reset_${i + 1}()`).join("; ");
  return [
    `#!lua name=${name}`,
    ...atLoad,
    ...resets.map((code, i) => `local function __reset_${i + 1}()\n${code}\nend`),
    `local function __body()\n${body}\nend`,
    `redis.register_function(${JSON.stringify(name)}, function(keys, args)`,
    `  KEYS, ARGV = keys, args`,
    `  ${calls}`,
    `  return __body()`,
    `end)`,
  ].join("\n");
}

/** What a reset function runs for one per-call block, and the identifiers it names. */
interface PerCall {
  code: string;
  names: Set<string>;
}

/** Whether `block` runs once, at load: the comment just above its first line holds `-- @load`. */
function isLoadOnce(block: Block): boolean {
  const lines = block.text.split("\n");
  const head = lines.findIndex((line) => line !== "" && !line.startsWith("--"));
  for (let i = head - 1; i >= 0 && lines[i]!.startsWith("--"); i--) {
    if (/^--\s*@load\b/.test(lines[i]!)) return true;
  }
  return false;
}

/**
 * Throws when a value built at load names what only a call sets (`KEYS`, `ARGV`, a per-call
 * local), and when a statement that runs at every call appends (`LIST[#LIST + 1] =`, in the
 * function it calls) to a list built at load: a hook registration left unmarked while its hook
 * list is marked `-- @load`, which each call would add to again, without end.
 */
function checkLoadBlocks(name: string, blocks: Block[]): void {
  const atLoad = blocks.filter(isLoadOnce).flatMap((block) => block.defines);
  const perCall = new Set(["KEYS", "ARGV"]);
  for (const block of blocks) {
    if (!block.isFunction && !isLoadOnce(block)) block.defines.forEach((d) => perCall.add(d));
  }
  for (const block of blocks) {
    if (!isLoadOnce(block) || block.defines.length === 0) continue;
    const named = [...block.names].find((n) => perCall.has(n) && !block.defines.includes(n));
    if (named !== undefined) {
      throw new Error(
        `script ${name}: ${block.defines.join(", ")} is built at load (-- @load) from ${named}, ` +
          "which holds nothing until a call",
      );
    }
  }
  const functions = new Map(
    blocks.filter((block) => block.isFunction).map((block) => [block.defines[0]!, block.text]),
  );
  for (const block of blocks) {
    if (block.callee === null || isLoadOnce(block)) continue;
    const text = functions.get(block.callee) ?? "";
    const list = atLoad.find((local) => text.includes(`${local}[#${local} + 1]`));
    if (list !== undefined) {
      throw new Error(
        `script ${name}: a call of ${block.callee} runs at every call and appends to ${list}, ` +
          "which is built at load: mark it -- @load too",
      );
    }
  }
}

/**
 * The per-call blocks as the bodies of reset functions, in order, each within the upvalues a
 * Lua function may have.
 */
function resetFunctions(blocks: PerCall[], declared: Set<string>): string[] {
  const resets: string[] = [];
  let code: string[] = [];
  let names = new Set<string>();
  for (const block of blocks) {
    const used = [...block.names].filter((n) => declared.has(n));
    const grown = new Set([...names, ...used]);
    if (code.length > 0 && grown.size > MAX_NAMES_PER_RESET) {
      resets.push(code.join("\n"));
      code = [];
      names = new Set(used);
    } else {
      names = grown;
    }
    code.push(block.code);
  }
  if (code.length > 0) resets.push(code.join("\n"));
  return resets;
}

/**
 * A per-call block declaring locals as their assignment (`local A, B = x, y` -> `A, B = x, y`;
 * `local A` -> `A = nil`).
 */
function assignmentOf(block: Block): string {
  if (block.defines.length === 0) return block.text;
  const lines = block.text.split("\n");
  const at = lines.findIndex((line) => /^local\s/.test(line));
  const head = lines[at]!;
  const assigned = head.replace(/^local\s+([A-Za-z_][A-Za-z0-9_,\s]*?)\s*=\s*/, "$1 = ");
  lines[at] = assigned === head ? `${block.defines.join(", ")} = nil` : assigned;
  return lines.join("\n");
}
