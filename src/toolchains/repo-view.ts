/**
 * The repository as the toolchain resolver sees it: files read once through
 * an injected reader, looked up in the package directory first and then at
 * the root (a monorepo's `.nvmrc` often sits at the top), plus the job's
 * setup actions and `run:` scripts.
 */
import path from "node:path";
import { type PackageJsonFacts, parsePackageJson } from "./read-version-file.ts";

/** One `uses:` step of the failing job; inputs already interpolated (matrix substituted). */
export interface SetupAction {
  /** As written: `actions/setup-node@v4`. */
  readonly uses: string;
  readonly with: Readonly<Record<string, string>>;
  /** The step's display name, for notes. */
  readonly step: string;
}

/** Reads repository files by path relative to the repository root. */
export interface RepoFiles {
  /** The file's text, or null when it does not exist. */
  read(relativePath: string): Promise<string | null>;
}

export interface RepoView {
  /** Reads a path relative to the repository root (memoized). */
  read(relativePath: string): Promise<string | null>;
  /** The first of `names` found, each looked up in the package directory and then the root. */
  findFirst(names: readonly string[]): Promise<{ path: string; contents: string } | null>;
  /** The nearest package.json (directory, then root) and its toolchain fields. */
  packageJson(): Promise<{ path: string; facts: PackageJsonFacts } | null>;
  /** The last step using `action` (`actions/setup-node`), case-insensitive; earlier ones are noted as ignored. */
  action(action: string): SetupAction | null;
  /** Whether a `run:` script invokes `command` as a word (`pnpm install`, `&& yarn test`). */
  scriptsRun(command: string): boolean;
  readonly scripts: readonly string[];
  readonly notes: string[];
}

export function createRepoView(input: {
  actions: readonly SetupAction[];
  files: RepoFiles;
  scripts: readonly string[];
  directory?: string;
}): RepoView {
  const notes: string[] = [];
  const cache = new Map<string, Promise<string | null>>();
  const read = (relativePath: string): Promise<string | null> => {
    const key = path.posix.normalize(relativePath).replace(/^\.\//, "");
    let answer = cache.get(key);
    if (!answer) {
      answer = input.files.read(key).catch(() => null);
      cache.set(key, answer);
    }
    return answer;
  };
  const directory = path.posix.normalize(input.directory ?? ".").replace(/\/+$/, "") || ".";
  const dirs = directory === "." ? ["."] : [directory, "."];
  const findFirst = async (names: readonly string[]): Promise<{ path: string; contents: string } | null> => {
    for (const dir of dirs) {
      for (const name of names) {
        const file = path.posix.join(dir, name);
        const contents = await read(file);
        if (contents !== null) return { path: file, contents };
      }
    }
    return null;
  };
  const byAction = (name: string): SetupAction[] =>
    input.actions.filter((a) => (a.uses.split("@")[0] ?? "").trim().toLowerCase() === name.toLowerCase());
  return {
    read,
    findFirst,
    async packageJson() {
      const found = await findFirst(["package.json"]);
      if (!found) return null;
      const facts = parsePackageJson(found.contents);
      if (!facts) {
        notes.push(`${found.path} is not valid JSON; its toolchain fields were not read.`);
        return null;
      }
      return { path: found.path, facts };
    },
    action(name) {
      const steps = byAction(name);
      const last = steps.at(-1) ?? null;
      if (steps.length > 1 && last) {
        notes.push(`${steps.length} steps use ${name}; the last ("${last.step}") decides what is first on PATH.`);
      }
      return last;
    },
    scriptsRun(command) {
      const word = new RegExp(`(^|[\\s;&|(\`$])${command.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=$|[\\s;&|)\`])`, "m");
      return input.scripts.some((script) => word.test(script));
    },
    scripts: input.scripts,
    notes,
  };
}
