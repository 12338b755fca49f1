/**
 * The rules of the command policy for single programs: git's subcommands and
 * options, recursive deletion of the file system or the home directory, and
 * reading other processes' environments. Each returns a reason to deny, or
 * undefined. `command-policy.ts` finds the programs and applies these.
 */
import type { ShellWord } from "./shell-parse.ts";

/** Thrown inside the walker; `checkCommand` turns it into a verdict. */
export class CommandDenied extends Error {
  override readonly name = "CommandDenied";
}

export function deny(reason: string): never {
  throw new CommandDenied(reason);
}

const PUSH_HINT = "Patchwright pushes the verified change itself, only to its own patchwright/ branch; leave your change in the working tree";

/** git subcommands the agent never needs: they publish, or change where and how git talks to remotes. */
const DENIED_GIT: Readonly<Record<string, string>> = {
  push: `\`git push\` is not allowed: ${PUSH_HINT}`,
  "send-pack": `\`git send-pack\` is not allowed: ${PUSH_HINT}`,
  "http-push": `\`git http-push\` is not allowed: ${PUSH_HINT}`,
  "send-email": "`git send-email` is not allowed: nothing leaves the sandbox",
  remote: "`git remote` is not allowed: the remote is fixed, and Patchwright delivers the change itself",
  config: "`git config` is not allowed: git's configuration is not part of a fix (it can run programs and change remotes)",
  credential: "`git credential` is not allowed: there are no credentials in the sandbox, and none are needed",
};

/** `git -c` keys that only change how output looks. Everything else (aliases, helpers, hooks, URLs) is refused. */
const HARMLESS_GIT_CONFIG = [/^color\./, /^advice\./, /^column\./, /^log\./, /^core\.quotepath$/, /^core\.abbrev$/, /^user\.(name|email)$/, /^(commit|tag)\.gpgsign$/, /^safe\.directory$/, /^init\.defaultbranch$/];

/** Global options of git that take a separate value. */
const GIT_OPTIONS_WITH_VALUE = new Set(["-C", "--git-dir", "--work-tree", "--namespace", "--super-prefix", "--list-cmds", "--attr-source"]);

export interface GitInvocation {
  /** The subcommand, once global options are skipped; undefined for a bare `git` or `git --version`. */
  readonly subcommand: string | undefined;
  /** Arguments after the subcommand. */
  readonly rest: readonly ShellWord[];
}

/**
 * Reads `git [global options] <subcommand> …` and applies the git rules.
 * `appendsArgs`: the caller (xargs, find -exec) adds arguments at run time.
 */
export function checkGit(args: readonly ShellWord[], appendsArgs: boolean): GitInvocation {
  let i = 0;
  while (i < args.length) {
    const word = args[i]!;
    const v = word.value;
    if (v === null || v.includes("{}")) deny(`git's option or subcommand \`${word.raw}\` is computed when the command runs; write it literally`);
    if (v === "-c" || v === "--config-env") {
      checkGitConfigKey(args[i + 1], v);
      i += 2;
      continue;
    }
    if (v.startsWith("--config-env=")) {
      checkGitConfigKey({ value: v.slice("--config-env=".length), raw: word.raw, substitutions: [] }, "--config-env");
      i++;
      continue;
    }
    if (GIT_OPTIONS_WITH_VALUE.has(v)) {
      i += 2;
      continue;
    }
    if (v.startsWith("-")) {
      i++;
      continue;
    }
    break;
  }
  const sub = args[i]?.value ?? undefined;
  if (sub === undefined) {
    if (appendsArgs) deny("git would take its subcommand from the input (xargs, find -exec); write the git command literally");
    return { subcommand: undefined, rest: [] };
  }
  const reason = DENIED_GIT[sub] ?? (sub.startsWith("credential-") ? DENIED_GIT["credential"] : undefined);
  if (reason !== undefined) deny(reason);
  return { subcommand: sub, rest: args.slice(i + 1) };
}

function checkGitConfigKey(word: ShellWord | undefined, option: string): void {
  if (word === undefined) return;
  if (word.value === null) deny(`\`git ${option} ${word.raw}\` sets configuration computed at run time; it is not allowed`);
  const key = (word.value.split("=")[0] ?? "").toLowerCase();
  if (!HARMLESS_GIT_CONFIG.some((re) => re.test(key))) {
    deny(`\`git ${option} ${key}\` is not allowed: git configuration can run programs (aliases, helpers, hooks) or redirect remotes`);
  }
}

/** `rm` with `-r`/`-R`/`--recursive` on the root, a top-level directory, the home directory, or outside the repository. */
export function checkRm(args: readonly ShellWord[]): void {
  let recursive = false;
  let endOfOptions = false;
  const targets: ShellWord[] = [];
  for (const word of args) {
    const v = word.value;
    if (!endOfOptions && v !== null && v.startsWith("-") && v.length > 1) {
      if (v === "--") endOfOptions = true;
      else if (v === "--no-preserve-root") deny("`rm --no-preserve-root` is not allowed");
      else if (v === "--recursive" || (!v.startsWith("--") && /[rR]/.test(v))) recursive = true;
      continue;
    }
    targets.push(word);
  }
  if (!recursive) return;
  for (const target of targets) {
    const why = dangerousPath(target);
    if (why !== undefined) deny(`\`rm -r ${target.raw}\` is not allowed: ${why}`);
  }
}

/** Why deleting `word` recursively would reach beyond the repository, or undefined. */
export function dangerousPath(word: ShellWord): string | undefined {
  const written = word.raw.replace(/["'\\]/g, "");
  if (/^~[^/]*(\/|$)/.test(written) || /^\$\{?HOME\b/.test(written)) return "it deletes the home directory";
  if (word.value === null) {
    // `$DIR/…`: an empty variable turns it into `/…`.
    if (/^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*|\([^)]*\))\//.test(written)) return "the start of the path is computed when the command runs (an empty value would make it /…)";
    return undefined;
  }
  const segments = word.value.split("/").filter((s) => s !== "" && s !== ".");
  const absolute = word.value.startsWith("/");
  if (absolute && segments.includes("..")) return "it leaves the repository";
  if (absolute && segments.length === 0) return "it deletes the root of the file system";
  if (absolute && segments.length === 1 && /[*?[]/.test(segments[0] ?? "")) return "it deletes everything under the root of the file system";
  if (absolute && segments.length === 1 && segments[0] !== "tmp") return "it deletes a top-level directory of the file system";
  if (!absolute && segments[0] === "..") return "it leaves the repository";
  return undefined;
}

/** Reading any process's environment (`/proc/<pid>/environ`), however the path is quoted. */
export function readsProcEnviron(text: string): boolean {
  const plain = text.replace(/["'\\]/g, "");
  return /\/proc\b/.test(plain) && /environ/.test(plain);
}

/** `git push` and friends spelled inside inline code (`node -e "…execSync('git push')…"`). */
export function inlineCodeRunsGit(code: string): string | undefined {
  const match = /\bgit(?:\s+-\S+(?:\s+\S+)?)*\s+(push|remote|config|credential|send-pack|http-push)\b/.exec(code);
  return match ? match[1] : undefined;
}
