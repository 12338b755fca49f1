/**
 * What the command policy knows about programs: which ones download, which
 * run code read from their input, which gain privileges, and how to find the
 * command inside a wrapper (`env`, `xargs`, `timeout`, `nice`, …).
 */
import type { ShellWord } from "./shell-parse.ts";

/** Programs that fetch from the network. */
export const DOWNLOADERS: ReadonlySet<string> = new Set([
  "curl", "wget", "wget2", "fetch", "aria2c", "http", "https", "xh", "lwp-request", "GET", "nc", "ncat", "netcat", "socat",
]);

/** Shells: run a script given with `-c`, or the one read from their input. */
export const SHELLS: ReadonlySet<string> = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh"]);

const INTERPRETERS: ReadonlySet<string> = new Set([
  "node", "nodejs", "deno", "bun", "perl", "ruby", "php", "lua", "tclsh", "Rscript", "pwsh", "source", ".",
]);

/** Programs that run code handed to them as text (so downloaded text piped into them runs). */
export function runsCodeFromInput(program: string): boolean {
  return SHELLS.has(program) || INTERPRETERS.has(program) || /^python[0-9.]*$/.test(program);
}

/** Programs that run inline code given as an argument (`node -e`, `python -c`, …). */
export function takesInlineCode(program: string): boolean {
  return ["node", "nodejs", "deno", "bun", "perl", "ruby", "php"].includes(program) || /^python[0-9.]*$/.test(program);
}

/** Programs that switch user or gain privileges. */
export const PRIVILEGE_TOOLS: ReadonlySet<string> = new Set(["sudo", "su", "doas", "pkexec", "runuser", "sudoedit", "run0"]);

/** `/usr/bin/git` → `git`. */
export function programName(word: string): string {
  const slash = word.lastIndexOf("/");
  return slash === -1 ? word : word.slice(slash + 1);
}

/**
 * How a wrapper's options are read: short options that take a value (`-n 5`
 * or `-n5`), long ones that do (`--signal KILL` or `--signal=KILL`), and how
 * many plain arguments come before the wrapped command (`timeout 5 cmd`).
 */
export interface OptionSpec {
  readonly shortWithValue?: string;
  readonly longWithValue?: readonly string[];
  readonly leadingOperands?: number;
}

/** The wrappers that run the rest of their arguments as a command. */
export const WRAPPERS: Readonly<Record<string, OptionSpec>> = {
  command: {},
  builtin: {},
  exec: { shortWithValue: "a" },
  nohup: {},
  setsid: {},
  time: {},
  nice: { shortWithValue: "n", longWithValue: ["--adjustment"] },
  ionice: { shortWithValue: "cnpPu", longWithValue: ["--class", "--classdata", "--pid", "--pgid", "--uid"] },
  timeout: { shortWithValue: "sk", longWithValue: ["--signal", "--kill-after"], leadingOperands: 1 },
  stdbuf: { shortWithValue: "ioe", longWithValue: ["--input", "--output", "--error"] },
  unbuffer: {},
  chronic: {},
  busybox: {},
  xargs: {
    shortWithValue: "adEILnPs",
    longWithValue: ["--arg-file", "--delimiter", "--eof", "--replace", "--max-lines", "--max-args", "--max-procs", "--max-chars", "--process-slot-var"],
  },
};

export type OptionScan =
  | { readonly ok: true; readonly next: number; readonly options: ReadonlyMap<string, string | true> }
  | { readonly ok: false; readonly raw: string };

/**
 * Reads options from `args[0..]` up to the first operand (or after `--`).
 * Returns where the operands start and what was set (`-n` → value, flags → true),
 * or `ok: false` when an option is computed at run time.
 */
export function scanOptions(args: readonly ShellWord[], spec: OptionSpec): OptionScan {
  const options = new Map<string, string | true>();
  let i = 0;
  while (i < args.length) {
    const word = args[i]!;
    const v = word.value;
    if (v === null) return { ok: false, raw: word.raw };
    if (v === "--") return { ok: true, next: i + 1, options };
    if (v.startsWith("--") && v.length > 2) {
      const eq = v.indexOf("=");
      if (eq !== -1) options.set(v.slice(0, eq), v.slice(eq + 1));
      else if (spec.longWithValue?.includes(v)) {
        options.set(v, args[i + 1]?.value ?? "");
        i++;
      } else options.set(v, true);
      i++;
      continue;
    }
    if (!v.startsWith("-") || v === "-") break;
    // A cluster: `-rf`, `-n5`, `-Iarg`.
    for (let k = 1; k < v.length; k++) {
      const flag = v.charAt(k);
      if (spec.shortWithValue?.includes(flag)) {
        if (k < v.length - 1) options.set(`-${flag}`, v.slice(k + 1));
        else {
          options.set(`-${flag}`, args[i + 1]?.value ?? "");
          i++;
        }
        break;
      }
      options.set(`-${flag}`, true);
    }
    i++;
  }
  return { ok: true, next: Math.min(args.length, i + (i < args.length ? (spec.leadingOperands ?? 0) : 0)), options };
}
