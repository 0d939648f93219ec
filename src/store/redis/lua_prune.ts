/**
 * Drops from a script's libraries what the script never reaches. Redis runs a script's whole
 * chunk on every call, libraries included: each top-level `local function` makes a closure and
 * each `local T = {}` a table, 650 to 1,500 Redis instructions apiece (allocation and garbage
 * collection), about 270k for all the libraries of `reserve`: more than one job's own work in
 * `reserve` and `complete` together. A library definition that nothing the script runs refers to
 * is dead weight on every call.
 *
 * The libraries are cut into top-level blocks: a block starts at a line that begins in column 0
 * with code (`local function f(`, `local A, B = ...`, a statement such as `on_flush(function()`),
 * and takes the indented lines after it and a closing `end`, `end)`, `}` or `)` in column 0; the
 * comment lines just before a block go with it. A block is kept when a kept block names what it
 * defines (the script body is kept whole). A top-level statement (`on_finish(function ... end)`,
 * which registers a hook) is kept when its callee's tables (the hook list `on_finish` appends to)
 * are named by a kept block other than the callee's own: when something runs those hooks. Other
 * top-level code (an assignment, a call of a field such as `redis.call(...)`) is always kept.
 *
 * Names are found by scanning identifiers (strings included, comments left out), so a block is
 * never dropped for a reference the scan missed; at worst one is kept that could have gone.
 *
 * @module
 */

/** A top-level block of Lua library text (see the module doc). */
export interface Block {
  /** The block's text (its leading comments included). */
  text: string;
  /** Locals it declares (`local function f`, `local A, B = ...`). */
  defines: string[];
  /** Whether it is a `local function` definition. */
  isFunction: boolean;
  /** A top-level call's callee (`on_flush` in `on_flush(function() ... end)`). */
  callee: string | null;
  /** Top-level code that is neither a local definition nor a call: always kept. */
  other: boolean;
  /** Identifiers its text names. */
  names: Set<string>;
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/g;
const CONTINUATION = /^(?:end\)?|[)}])\s*(?:--.*)?$/;

/**
 * `libraries` (the script's libraries, joined) without the top-level definitions and hook
 * registrations that `body` (the script's own text) never reaches.
 */
export function pruneLibraries(libraries: string, body: string): string {
  const blocks = splitBlocks(libraries);
  const definedBy = new Map<string, number[]>();
  blocks.forEach((block, i) => {
    for (const name of block.defines) definedBy.set(name, [...(definedBy.get(name) ?? []), i]);
  });
  const kept = new Set<number>();
  const bodyNames = namesOf(body);
  const pending: Set<string>[] = [bodyNames];
  const keep = (i: number) => {
    if (kept.has(i)) return;
    kept.add(i);
    pending.push(blocks[i]!.names);
  };
  blocks.forEach((block, i) => block.other && keep(i));
  const statements = blocks.flatMap((block, i) => (block.callee ? [i] : []));
  for (;;) {
    while (pending.length > 0) {
      for (const name of pending.pop()!) for (const i of definedBy.get(name) ?? []) keep(i);
    }
    const live = statements.filter((i) =>
      !kept.has(i) && statementIsLive(blocks, i, kept, definedBy, bodyNames)
    );
    if (live.length === 0) break;
    live.forEach(keep);
  }
  return blocks.filter((_, i) => kept.has(i)).map((block) => block.text).join("\n");
}

/**
 * Whether statement i matters: its callee is no library function (a plain statement), or the
 * script body or a kept block names one of the locals the callee's definition names (what it
 * writes to), other than the callee's definition, the other calls of it, and those locals' own
 * declarations.
 */
function statementIsLive(
  blocks: Block[],
  i: number,
  kept: Set<number>,
  definedBy: Map<string, number[]>,
  bodyNames: Set<string>,
): boolean {
  const callee = blocks[i]!.callee!;
  const calleeBlocks = definedBy.get(callee);
  if (!calleeBlocks) return true;
  const state = new Set<string>();
  for (const c of calleeBlocks) {
    for (const name of blocks[c]!.names) {
      if (name !== callee && definedBy.has(name)) state.add(name);
    }
  }
  for (const name of state) if (bodyNames.has(name)) return true;
  for (const k of kept) {
    const block = blocks[k]!;
    // the callee, its other calls, and the declarations of what it writes are no use of it
    if (calleeBlocks.includes(k) || block.callee === callee) continue;
    if (block.defines.some((name) => state.has(name))) continue;
    for (const name of state) if (block.names.has(name)) return true;
  }
  return false;
}

/** `text` (Lua libraries) cut into its top-level blocks, in order (see the module doc). */
export function splitBlocks(text: string): Block[] {
  const lines = text.split("\n");
  const starts: number[] = [];
  lines.forEach((line, i) => {
    if (/^[A-Za-z_]/.test(line) && !CONTINUATION.test(line)) starts.push(i);
  });
  const blocks: Block[] = [];
  let from = 0; // comment lines before a block's first line go with it
  starts.forEach((start, k) => {
    let to = k + 1 < starts.length ? starts[k + 1]! : lines.length;
    // the comments and blank lines that end this stretch belong to the next block
    if (k + 1 < starts.length) { while (to > start + 1 && /^(--|$)/.test(lines[to - 1]!)) to--; }
    blocks.push(toBlock(lines.slice(from, to), lines[start]!));
    from = to;
  });
  return blocks;
}

function toBlock(lines: string[], head: string): Block {
  const fn = /^local\s+function\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(head);
  const vars = fn ? null : /^local\s+([A-Za-z_][A-Za-z0-9_,\s]*?)\s*(?:=|$)/.exec(head);
  const call = fn || vars ? null : /^([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(head);
  const defines = fn ? [fn[1]!] : vars ? vars[1]!.split(/\s*,\s*/) : [];
  const text = lines.join("\n");
  const other = !fn && !vars && !call && head !== "";
  return {
    text,
    defines,
    isFunction: fn !== null,
    callee: call?.[1] ?? null,
    other,
    names: namesOf(text),
  };
}

/**
 * The identifiers `text` names outside its comments: a line's comment is left out when the code
 * before it holds no quote (else the whole line is scanned: a `--` may sit in a string).
 */
export function namesOf(text: string): Set<string> {
  const code = text.split("\n").map((line) => {
    const at = line.indexOf("--");
    return at >= 0 && !/["'\[]/.test(line.slice(0, at)) ? line.slice(0, at) : line;
  });
  return new Set(code.join("\n").match(IDENTIFIER) ?? []);
}
