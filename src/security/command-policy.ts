/**
 * The command policy of `run_command`: a parsed look at a shell command before
 * the sandbox runs it. The sandbox is the real boundary (no network, no
 * credentials, a read-only `.git`); this policy makes an obeyed injection
 * visible in the trace and cheap to refuse. See docs/0007-guardrails.md.
 *
 * Denied, wherever they sit (after `&&`, `||`, `;`, in a pipe, a subshell, a
 * function, `$(…)`, backticks, `bash -c`/`sh -c`/`eval` arguments, behind
 * `env`, `command`, `exec`, `nohup`, `timeout`, `nice`, `xargs`, `find -exec`,
 * with a path like `/usr/bin/git` or quotes like `g"i"t`):
 * - `git push`, `git remote`, `git config`, `git credential*`, and `git -c` of anything but display settings;
 * - a download piped into a shell or interpreter (`curl … | sh`);
 * - `sudo`, `su`, `doas` and other privilege tools;
 * - recursive `rm` of `/`, a top-level directory, `~`/`$HOME`, or outside the repository;
 * - reading `/proc/<pid>/environ`;
 * - a program name, git subcommand, or `-c`/`eval` script computed at run time;
 * - anything the parser cannot read.
 * Allowed on purpose: `env`, `printenv`, `set`: the sandbox's environment is a
 * fixed allowlist without secrets, and the model may need it to debug.
 */
import { CommandDenied, checkGit, checkRm, dangerousPath, deny, inlineCodeRunsGit, readsProcEnviron } from "./command-policy-rules.ts";
import { ShellParseError, parseShell, type ShellNode, type ShellWord, type SimpleCommand } from "./shell-parse.ts";
import { DOWNLOADERS, PRIVILEGE_TOOLS, SHELLS, WRAPPERS, programName, runsCodeFromInput, scanOptions, takesInlineCode } from "./shell-programs.ts";

export type CommandVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** Longer commands are refused: parsing is not free, and a script belongs in a file. */
export const MAX_COMMAND_CHARS = 10_000;
/** `bash -c "eval 'sh -c …'"` nesting beyond this is refused. */
const MAX_DEPTH = 6;

/** Decides whether `run_command` may run `command`. Pure; never throws. */
export function checkCommand(command: string): CommandVerdict {
  try {
    checkScript(command, 0);
    return { allowed: true };
  } catch (error) {
    if (error instanceof CommandDenied) return { allowed: false, reason: error.message };
    return { allowed: false, reason: `the command could not be checked (${error instanceof Error ? error.message : String(error)})` };
  }
}

function checkScript(source: string, depth: number): void {
  if (depth > MAX_DEPTH) deny("the command nests shells too deeply to be checked; run the inner command directly");
  if (source.length > MAX_COMMAND_CHARS) deny(`the command is longer than ${MAX_COMMAND_CHARS} characters; write files with write_file and keep commands short`);
  if (readsProcEnviron(source)) deny("reading /proc/<pid>/environ is not allowed (the sandbox's environment holds no secrets; use `env` to see it)");
  let tree: ShellNode;
  try {
    tree = parseShell(source);
  } catch (error) {
    if (!(error instanceof ShellParseError)) throw error;
    const hint = source.includes("<<") ? "; write files with write_file instead of here-documents" : "";
    deny(`the command cannot be parsed (${error.message}), and only commands the policy can read are run. Use plain shell syntax${hint}`);
  }
  walk(tree, depth);
}

/** Checks a node; returns the programs it runs (wrappers included), for the pipe rule. */
function walk(node: ShellNode, depth: number): string[] {
  switch (node.kind) {
    case "list":
      return node.items.flatMap((item) => walk(item, depth));
    case "pipeline": {
      const perMember = node.members.map((member) => walk(member, depth));
      perMember.forEach((programs, i) => {
        const download = programs.find((p) => DOWNLOADERS.has(p));
        if (download === undefined) return;
        const runner = perMember.slice(i + 1).flat().find(runsCodeFromInput);
        if (runner !== undefined) deny(`piping a download (\`${download}\`) into \`${runner}\` is not allowed: it runs code from the network`);
      });
      return perMember.flat();
    }
    case "command":
      return checkSimpleCommand(node.command, depth);
  }
}

function checkSimpleCommand(command: SimpleCommand, depth: number): string[] {
  const all = [...command.assignments, ...command.words, ...command.redirects.map((r) => r.target)];
  const nested = all.flatMap((word) => word.substitutions.flatMap((sub) => walk(sub, depth)));
  for (const word of all) {
    if (word.value !== null && readsProcEnviron(word.value)) deny("reading /proc/<pid>/environ is not allowed");
  }
  return [...nested, ...checkInvocation(command.words, depth, false)];
}

/**
 * Checks `program args…`, unwrapping wrappers until the real program.
 * `appendsArgs`: a caller (xargs, find -exec) adds arguments at run time.
 */
function checkInvocation(words: readonly ShellWord[], depth: number, appendsArgs: boolean): string[] {
  const nameWord = words[0];
  if (nameWord === undefined) return [];
  if (nameWord.value === null || nameWord.value.includes("{}")) {
    deny(`the program \`${nameWord.raw}\` is computed when the command runs; write the program name literally`);
  }
  const program = programName(nameWord.value);
  const args = words.slice(1);
  if (PRIVILEGE_TOOLS.has(program)) deny(`\`${program}\` is not allowed: the sandbox has no privileges to gain, and a fix needs none`);

  const inner = (from: number, appends = appendsArgs): string[] => [program, ...checkInvocation(args.slice(from), depth, appends)];
  const options = (spec: Parameters<typeof scanOptions>[1]) => {
    const scan = scanOptions(args, spec);
    if (!scan.ok) deny(`the option \`${scan.raw}\` of \`${program}\` is computed when the command runs; write it literally`);
    return scan;
  };

  if (program === "env") {
    const scan = options({ shortWithValue: "uCS", longWithValue: ["--unset", "--chdir", "--split-string"] });
    const split = scan.options.get("-S") ?? scan.options.get("--split-string");
    if (typeof split === "string") {
      checkScript([split, ...staticValues(args.slice(scan.next), "env -S")].join(" "), depth + 1);
      return [program];
    }
    let next = scan.next;
    while (next < args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[next]?.raw ?? "")) next++;
    return inner(next);
  }
  if (program === "command" && args.some((a) => a.value === "-v" || a.value === "-V")) return [program];
  if (program === "watch") {
    const scan = options({ shortWithValue: "nq", longWithValue: ["--interval"] });
    if (scan.options.has("-x") || scan.options.has("--exec")) return inner(scan.next);
    checkScript(staticValues(args.slice(scan.next), "watch").join(" "), depth + 1);
    return [program];
  }
  const wrapper = WRAPPERS[program];
  if (wrapper !== undefined) return inner(options(wrapper).next, appendsArgs || program === "xargs");

  if (SHELLS.has(program)) return [program, ...checkShell(program, args, depth)];
  if (program === "eval") {
    checkScript(staticValues(args, "eval").join(" "), depth + 1);
    return [program];
  }
  if (program === "git" || program.startsWith("git-")) {
    const gitArgs = program === "git" ? args : [{ value: program.slice(4), raw: program, substitutions: [] }, ...args];
    const git = checkGit(gitArgs, appendsArgs);
    return [program, ...checkGitRunners(git.subcommand, git.rest, depth)];
  }
  if (program === "rm") checkRm(args);
  if (program === "find") return [program, ...checkFind(args, depth)];
  if (takesInlineCode(program)) {
    const sub = inlineCodeRunsGit(args.map((a) => a.value ?? a.raw).join(" "));
    if (sub !== undefined) deny(`the inline program runs \`git ${sub}\`, which is not allowed here either`);
  }
  return [program];
}

/** `bash -c SCRIPT`, `sh -ec SCRIPT`, …: the script is checked like a command. */
function checkShell(program: string, args: readonly ShellWord[], depth: number): string[] {
  let runsScript = false;
  let i = 0;
  for (; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === null) deny(`the argument \`${args[i]!.raw}\` of \`${program}\` is computed when the command runs; write the script literally`);
    if (v === "--" || v === "-") {
      i++;
      break;
    }
    if (/^[-+][A-Za-z]+$/.test(v)) {
      if (v.startsWith("-") && v.includes("c")) runsScript = true;
      if (/[oO]$/.test(v)) i++;
      continue;
    }
    if (v.startsWith("--")) {
      if (v === "--rcfile" || v === "--init-file") i++;
      continue;
    }
    break;
  }
  if (!runsScript) return [];
  const script = args[i];
  if (script === undefined) return [];
  if (script.value === null) deny(`the script of \`${program} -c\` is computed when the command runs; write it literally`);
  checkScript(script.value, depth + 1);
  return [];
}

/** git subcommands that run other commands: `submodule foreach`, `rebase --exec`, `bisect run`. */
function checkGitRunners(subcommand: string | undefined, rest: readonly ShellWord[], depth: number): string[] {
  if (subcommand === "submodule") {
    const at = rest.findIndex((w) => w.value === "foreach");
    if (at !== -1) checkScript(staticValues(rest.slice(at + 1).filter((w) => !w.value?.startsWith("-")), "git submodule foreach").join(" "), depth + 1);
  }
  if (subcommand === "rebase") {
    rest.forEach((word, i) => {
      const v = word.value ?? "";
      if (v === "-x" || v === "--exec") checkScript(staticValues(rest.slice(i + 1, i + 2), "git rebase --exec").join(" "), depth + 1);
      if (v.startsWith("--exec=")) checkScript(v.slice("--exec=".length), depth + 1);
    });
  }
  if (subcommand === "bisect" && rest[0]?.value === "run") return checkInvocation(rest.slice(1), depth, false);
  return [];
}

/** `find … -exec CMD {} ;` runs CMD; `find / -delete` deletes like `rm -r`. */
function checkFind(args: readonly ShellWord[], depth: number): string[] {
  const programs: string[] = [];
  const firstExpression = args.findIndex((w) => w.value === null || /^[-(!]/.test(w.value));
  const starts = firstExpression === -1 ? args : args.slice(0, firstExpression);
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === "-delete") {
      for (const start of starts) {
        const why = dangerousPath(start);
        if (why !== undefined) deny(`\`find ${start.raw} -delete\` is not allowed: ${why}`);
      }
    }
    if (v === "-exec" || v === "-execdir" || v === "-ok" || v === "-okdir") {
      let end = i + 1;
      while (end < args.length && args[end]!.value !== ";" && args[end]!.value !== "+") end++;
      programs.push(...checkInvocation(args.slice(i + 1, end), depth, true));
      i = end;
    }
  }
  return programs;
}

/** The values of words that must be known now (a script to check); a computed one is refused. */
function staticValues(words: readonly ShellWord[], what: string): string[] {
  return words.map((word) => {
    if (word.value === null) deny(`the argument \`${word.raw}\` of \`${what}\` is computed when the command runs; write it literally`);
    return word.value;
  });
}
