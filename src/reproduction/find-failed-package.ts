/**
 * In a monorepo, the step CI ran often covers the whole tree (`pnpm -r test`,
 * `npm test --workspaces`, `yarn workspaces foreach run test`, `turbo run
 * test`, `lerna run test`, `nx run-many`). When its output shows that exactly
 * one workspace package failed, that package's own task is what the fix must
 * make pass: it is reproduced and verified alone, which is faster and keeps
 * the other packages' noise out of the agent's way. Pure.
 */
import { stripControlCharacters } from "../security/strip-control-characters.ts";

export type PackageManager = "npm" | "pnpm" | "yarn" | "bun";

export interface WorkspacePackage {
  /** The package's `name`. */
  readonly name: string;
  /** Its directory, relative to the checkout (`packages/core`). */
  readonly dir: string;
  /** Its `scripts` names. */
  readonly scripts: readonly string[];
}


/** One finding: which package failed, and the task (script) it failed in. */
export interface FailedPackage {
  readonly pkg: WorkspacePackage;
  readonly task: string;
}

/** A package name (scoped or not) followed by `@version`. */
const NAME = String.raw`((?:@[\w.-]+\/)?[\w.-]+)`;
/** Each pattern captures a package name (or a directory) and, when the tool prints it, the task. */
const FAILURES: readonly { readonly pattern: RegExp; readonly by: "name" | "dir" }[] = [
  // pnpm -r: " ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL  @scope/core@1.0.0 test: `vitest run`"
  { pattern: new RegExp(String.raw`ERR_PNPM_RECURSIVE_(?:RUN|EXEC)_FIRST_FAIL\s+${NAME}@\S*\s+([\w:.-]+):`, "g"), by: "name" },
  // pnpm -r, per line: "packages/core test: Failed"
  { pattern: /^([\w./@-]+) ([\w:.-]+): Failed$/gm, by: "dir" },
  // npm --workspaces: "npm error workspace @scope/core@1.0.0" (npm 7+: "npm ERR! workspace …")
  { pattern: new RegExp(String.raw`npm (?:error|ERR!) workspace ${NAME}@`, "g"), by: "name" },
  // turbo: "@scope/core#test: command (…) exited (1)" / "Failed:    @scope/core#test"
  { pattern: new RegExp(String.raw`${NAME}#([\w:.-]+): command .*exited \(\d+\)`, "g"), by: "name" },
  { pattern: new RegExp(String.raw`Failed:\s+${NAME}#([\w:.-]+)`, "g"), by: "name" },
  // yarn workspaces foreach (Berry): "[@scope/core]: Process exited (exit code 1)"
  { pattern: new RegExp(String.raw`\[${NAME}\]: Process exited \(exit code [1-9]\d*\)`, "g"), by: "name" },
  // lerna: "lerna ERR! npm run test exited 1 in '@scope/core'"
  { pattern: new RegExp(String.raw`lerna ERR! \S+ run ([\w:.-]+) exited \d+ in '${NAME}'`, "g"), by: "name" },
  // nx: "✖  nx run core:test" / "- core:test" under "Failed tasks:"
  { pattern: /nx run ([\w@/.-]+):([\w:.-]+)/g, by: "name" },
];

/**
 * The one workspace package that failed in `output`, when the step ran a task
 * across the tree; null when none or several did, or the task is unknown.
 */
export function findFailedPackage(command: string, output: string, packages: readonly WorkspacePackage[]): FailedPackage | null {
  if (packages.length === 0) return null;
  const task = treeTask(command);
  const text = stripControlCharacters(output);
  const found = new Map<string, FailedPackage>();
  for (const { pattern, by } of FAILURES) {
    for (const match of text.matchAll(pattern)) {
      const key = cleanTask(match, pattern);
      const pkg = by === "name" ? packages.find((p) => p.name === key.name) : packages.find((p) => p.dir === key.name.replace(/^\.\//, ""));
      const failedTask = key.task ?? task;
      if (pkg === undefined || failedTask === null || !pkg.scripts.includes(failedTask)) continue;
      found.set(pkg.dir, { pkg, task: failedTask });
    }
  }
  return found.size === 1 ? [...found.values()][0]! : null;
}

/** Which capture is the name and which the task: lerna prints the task first. */
function cleanTask(match: RegExpMatchArray, pattern: RegExp): { name: string; task: string | undefined } {
  if (pattern.source.startsWith("lerna")) return { name: match[2] ?? "", task: match[1] };
  return { name: match[1] ?? "", task: match[2] };
}

/** The script a tree-wide command runs: `pnpm -r test` → test; `npm run lint --workspaces` → lint. Null when not one. */
export function treeTask(command: string): string | null {
  const line = command.trim().split("\n").at(-1)?.trim() ?? "";
  const patterns = [
    /\bpnpm\s+(?:(?:-r|--recursive|--parallel|--stream|-w|--workspace-root|--filter(?:=|\s+)\S+|--if-present)\s+)*(?:run\s+)?([\w:.-]+)/,
    /\bnpm\s+(?:run(?:-script)?\s+)?([\w:.-]+)\b.*(?:--workspaces|-ws\b)/,
    /\byarn\s+workspaces\s+(?:foreach\s+(?:-\S+\s+)*)?run\s+([\w:.-]+)/,
    /\b(?:turbo|lerna|nx\s+run-many)\s+(?:run\s+)?(?:(?:-t|--target(?:=|\s))\s*)?([\w:.-]+)/,
    /\bbun\s+(?:run\s+)?--filter\s+\S+\s+([\w:.-]+)/,
  ];
  for (const pattern of patterns) {
    const task = pattern.exec(line)?.[1];
    if (task !== undefined && !["install", "i", "ci", "exec", "x", "dlx"].includes(task)) return task;
  }
  return null;
}

/** The package's own task, run in its directory with the repository's package manager. */
export function packageTaskCommand(manager: PackageManager, task: string): string {
  return manager === "npm" ? `npm run ${task}` : `${manager} run ${task}`;
}

/** The package manager a checkout uses, from the lockfile it has (npm when none). */
export function packageManagerOf(files: { readonly has: (name: string) => boolean; readonly packageManager?: string | undefined }): PackageManager {
  const declared = /^(npm|pnpm|yarn|bun)@/.exec(files.packageManager ?? "")?.[1] as PackageManager | undefined;
  if (declared) return declared;
  if (files.has("pnpm-lock.yaml")) return "pnpm";
  if (files.has("yarn.lock")) return "yarn";
  if (files.has("bun.lock") || files.has("bun.lockb")) return "bun";
  return "npm";
}
