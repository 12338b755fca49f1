import { findProtectedMatch } from "./protected-paths.ts";
import { redact as redactKnownShapes, type Redactor } from "./redact.ts";

/**
 * What the policy needs to see of a change: every file with its status and
 * git's raw modes (from the tree that is committed, so what is pushed is what
 * was checked), and the patch text.
 */
export interface ChangeUnderReview {
  readonly patch: string;
  readonly files: readonly {
    readonly path: string;
    readonly status: string;
    readonly binary: boolean;
    /** `000000` absent, `100644`, `100755` executable, `120000` symbolic link, `160000` submodule. */
    readonly oldMode: string;
    readonly newMode: string;
  }[];
  readonly insertions: number;
  readonly deletions: number;
}

export interface DiffPolicy {
  /** Repository globs added to the built-in protected paths. */
  protectedPaths: readonly string[];
  /** Most lines added + removed a fix may have. */
  maxChangedLines: number;
  /** `allow_deletions` of the repository config: may a fix delete files? Default false. A rename counts as a deletion. */
  allowDeletions?: boolean;
  /**
   * May the change touch lockfiles? Only a dependency update (whose point is a
   * new lockfile) or a change the package manager made from the manifest (the
   * npm-lockfile recipe); never one the model made. Default false.
   */
  allowLockfiles?: boolean;
  /**
   * The process's redactor (exact secrets and known token shapes): an added
   * line it would change is a credential about to be pushed. Default: the
   * known token shapes only.
   */
  redact?: Redactor;
}

/** Lockfiles of the common package managers, by file name at any depth. */
export const LOCKFILES: ReadonlySet<string> = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "bun.lockb",
  "deno.lock",
  "Cargo.lock",
  "poetry.lock",
  "Pipfile.lock",
  "pdm.lock",
  "uv.lock",
  "go.sum",
  "Gemfile.lock",
  "composer.lock",
  "mix.lock",
  "pubspec.lock",
  "Podfile.lock",
  "Package.resolved",
  "packages.lock.json",
  "gradle.lockfile",
  "flake.lock",
]);

/**
 * Checks a candidate diff before anything is pushed. The agent's tools already
 * refuse protected paths; this catches what a command in the sandbox changed.
 * Returns the violations, each a sentence for the report (empty = allowed).
 * A violation never quotes the offending text: the report is public.
 */
export function checkDiffPolicy(diff: ChangeUnderReview, policy: DiffPolicy): string[] {
  const violations: string[] = [];
  if (diff.files.length === 0) violations.push("the change is empty");
  for (const file of diff.files) {
    const glob = findProtectedMatch(file.path, policy.protectedPaths);
    if (glob !== undefined) violations.push(`\`${file.path}\` is protected (matches \`${glob}\`)`);
    if (file.binary) violations.push(`\`${file.path}\` is a binary file`);
    if (file.status === "deleted" && policy.allowDeletions !== true) {
      violations.push(`\`${file.path}\` is deleted, and deleting files needs \`allow_deletions: true\` in \`.github/patchwright.yml\``);
    }
    if (isLockfile(file.path) && policy.allowLockfiles !== true) {
      violations.push(`\`${file.path}\` is a lockfile; only dependency updates may change lockfiles`);
    }
    violations.push(...checkModes(file));
  }
  violations.push(...checkPatch(diff.patch, policy.redact ?? redactKnownShapes));
  const changed = diff.insertions + diff.deletions;
  if (changed > policy.maxChangedLines)
    violations.push(`the change has ${changed} changed lines, over the cap of ${policy.maxChangedLines}`);
  return violations;
}

const SYMLINK = "120000";
const SUBMODULE = "160000";
const EXECUTABLE = "100755";

/** What only the modes show: links created or retargeted, submodules added, moved or removed, executables made. */
function checkModes(file: ChangeUnderReview["files"][number]): string[] {
  if (file.oldMode === SUBMODULE || file.newMode === SUBMODULE) return [`\`${file.path}\` is a submodule; a fix may not add, move or remove one`];
  if (file.newMode === SYMLINK) return [`\`${file.path}\` is a symbolic link; a fix may not add or retarget one`];
  if (file.newMode === EXECUTABLE && file.oldMode !== EXECUTABLE) return [`\`${file.path}\` is made executable; a fix may not change file modes`];
  if (file.oldMode === EXECUTABLE && file.newMode !== EXECUTABLE && file.newMode !== "000000") return [`\`${file.path}\` loses its executable bit; a fix may not change file modes`];
  return [];
}

export function isLockfile(path: string): boolean {
  return LOCKFILES.has(path.slice(path.lastIndexOf("/") + 1));
}

/** What only the patch text shows: credentials in added lines (modes come from the raw view, `checkModes`). */
function checkPatch(patch: string, redact: Redactor): string[] {
  const violations: string[] = [];
  let file = "";
  let inHunk = false;
  const flagged = new Set<string>();
  const flag = (message: string) => {
    if (!flagged.has(message)) violations.push(message);
    flagged.add(message);
  };
  for (const line of patch.split("\n")) {
    const header = /^diff --git "?a\/.* "?b\/(.*?)"?$/.exec(line);
    if (header) {
      file = header[1] ?? "";
      inHunk = false;
    } else if (line.startsWith("@@")) {
      inHunk = true;
    } else if (inHunk) {
      const added = line.startsWith("+") ? line.slice(1) : undefined;
      if (added !== undefined && redact(added) !== added) {
        flag(`\`${file}\` adds text that looks like a credential (a token, key or secret); it is never pushed`);
      }
    }
  }
  return violations;
}
