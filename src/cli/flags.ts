/**
 * Command-line options: each declared once (name, value placeholder, help, default, environment
 * variable), parsed by a small parser of our own so that every problem is reported in the CLI's
 * own words (`--delay -5` is read as a value, and refused as "delay must be a non-negative number
 * of milliseconds"), and rendered into `--help` with its default.
 *
 * @module
 */

/** One option. */
export interface Flag {
  /** Long name, without the dashes. */
  name: string;
  /** One-letter alias. */
  short?: string;
  /** Placeholder of its value in help (`MS`, `N`, `URL`); absent for a switch. */
  value?: string;
  /** What it does, in a few words. */
  help: string;
  /** Its default, as help shows it. */
  default?: string;
  /** The environment variable read when the option is not given. */
  env?: string;
}

/** Options under a heading, in help. */
export interface FlagGroup {
  /** Heading (`Options`, `Target`, ...). */
  title: string;
  /** The options. */
  flags: readonly Flag[];
}

/** A mistake on the command line; the CLI prints it with a pointer to `--help` (exit 2). */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The `-h, --help` switch every command has. */
export const HELP_FLAG: Flag = { name: "help", short: "h", help: "show this help" };

function env(name: string | undefined): string | undefined {
  return name === undefined ? undefined : Deno.env.get(name) || undefined;
}

/** A parsed command line: option values (given, else from the environment) and arguments. */
export class Args {
  /** The arguments that are not options, in order. */
  readonly positionals: string[];
  #values: Map<string, string | true>;
  #flags: Map<string, Flag>;

  /** Parses `argv` against `groups`; throws `UsageError` for unknown or malformed options. */
  constructor(argv: readonly string[], groups: readonly FlagGroup[]) {
    this.#flags = new Map(groups.flatMap((g) => g.flags).map((f) => [f.name, f]));
    this.#values = new Map();
    this.positionals = [];
    const shorts = new Map(
      [...this.#flags.values()].filter((f) => f.short).map((f) => [
        f.short!,
        f,
      ]),
    );
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (arg === "--") {
        this.positionals.push(...argv.slice(i + 1));
        break;
      }
      const long = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
      const short = /^-([A-Za-z])$/.exec(arg);
      if (!long && !short) {
        this.positionals.push(arg);
        continue;
      }
      const flag = long ? this.#flags.get(long[1]!) : shorts.get(short![1]!);
      if (!flag) throw new UsageError(`unknown option ${arg.split("=")[0]}`);
      const inline = long?.[2];
      if (flag.value === undefined) {
        if (inline !== undefined) throw new UsageError(`--${flag.name} takes no value`);
        this.#values.set(flag.name, true);
        continue;
      }
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${flag.name} needs a value (${flag.value})`);
      this.#values.set(flag.name, value);
    }
  }

  /** True when the switch `name` was given. */
  has(name: string): boolean {
    return this.#values.get(name) === true;
  }

  /** The value given for `name` on the command line (its environment variable not read). */
  given(name: string): string | undefined {
    const value = this.#values.get(name);
    return typeof value === "string" ? value : undefined;
  }

  /** The value of `name`: given, else its environment variable, else undefined. */
  string(name: string): string | undefined {
    const given = this.#values.get(name);
    if (typeof given === "string") return given;
    return env(this.#flags.get(name)?.env);
  }

  /** How to name option `name` in a message: `delay`, or its variable when that gave it. */
  label(name: string): string {
    const given = this.#values.has(name);
    const variable = this.#flags.get(name)?.env;
    return !given && variable && env(variable) !== undefined ? variable : name;
  }

  /** A number of milliseconds (>= 0, at most `max`), or undefined when not given. */
  ms(name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > max) {
      const bound = max < Number.MAX_SAFE_INTEGER ? `, at most ${max.toLocaleString("en-US")}` : "";
      throw new UsageError(
        `${this.label(name)} must be a non-negative number of milliseconds${bound}; got ${
          JSON.stringify(text)
        }`,
      );
    }
    return Math.ceil(n);
  }

  /** A whole number of at least `min` (and at most `max`), or undefined when not given. */
  count(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || n < min || n > max) {
      const range = max < Number.MAX_SAFE_INTEGER
        ? ` from ${min} to ${max}`
        : ` of at least ${min}`;
      throw new UsageError(
        `${this.label(name)} must be a whole number${range}; got ${JSON.stringify(text)}`,
      );
    }
    return n;
  }

  /** One of `choices`, or undefined when not given. */
  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (!choices.includes(text as T)) {
      throw new UsageError(
        `${this.label(name)} must be one of ${choices.join(", ")}; got ${JSON.stringify(text)}`,
      );
    }
    return text as T;
  }
}

function left(flag: Flag): string {
  const names = `${flag.short ? `-${flag.short}, ` : "    "}--${flag.name}`;
  return flag.value ? `${names} ${flag.value}` : names;
}

/** `words` in lines of at most `width` characters. */
function wrapped(words: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words.split(" ")) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line];
}

/** The help lines of `groups`: each option with what it does, its variable and its default. */
export function renderFlags(groups: readonly FlagGroup[], width = 100): string {
  const column = Math.min(
    Math.max(...groups.flatMap((g) => g.flags).map((f) => left(f).length)) + 4,
    30,
  );
  return groups.filter((g) => g.flags.length > 0).map((group) => {
    const lines = group.flags.flatMap((flag) => {
      const notes = [
        flag.env ? `[${flag.env}]` : "",
        flag.default !== undefined ? `(default: ${flag.default})` : "",
      ].filter(Boolean).join(" ");
      const text = wrapped(notes ? `${flag.help} ${notes}` : flag.help, width - column);
      const head = `  ${left(flag)}`;
      const indent = " ".repeat(column);
      if (head.length + 2 > column) return [head, ...text.map((t) => indent + t)];
      return [head.padEnd(column) + text[0], ...text.slice(1).map((t) => indent + t)];
    });
    return `${group.title}:\n${lines.join("\n")}`;
  }).join("\n\n");
}
