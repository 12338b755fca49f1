import type { InstallSection, PackageJson } from "./edit-manifest.ts";
import type { LockfileKind } from "./read-lockfile.ts";

/**
 * The repository's own package manager, as the commands that change its
 * lockfile without installing or running anything (`--ignore-scripts`).
 * pnpm and yarn come from the npm registry through `npx`, at the version the
 * repository pins (`packageManager`) or the one its lockfile format implies.
 */
export interface PackageManager {
  readonly name: "npm" | "pnpm" | "yarn";
  /** The lockfile's name, in the project directory. */
  readonly lockfile: string;
  readonly lockfileKind: LockfileKind;
  /** For people: `npm`, `pnpm@9 (npx)`. */
  readonly label: string;
  /** Pins `name@version` exactly in `section` and in the lockfile. */
  add(name: string, version: string, section: InstallSection): string;
  /** Brings the lockfile in line with package.json, keeping every locked version it can. */
  sync(): string;
  /** Moves every copy of `name` to the newest version its dependents accept; null when unsupported. */
  update(name: string): string | null;
}

const NPM_FLAGS = "--package-lock-only --ignore-scripts --no-audit --no-fund --loglevel=error";
const NPM_SECTION: Record<InstallSection, string> = { dependencies: "--save-prod", devDependencies: "--save-dev", optionalDependencies: "--save-optional" };
const PNPM_SECTION: Record<InstallSection, string> = { dependencies: "--save-prod", devDependencies: "--save-dev", optionalDependencies: "--save-optional" };
const YARN_SECTION: Record<InstallSection, string> = { dependencies: "", devDependencies: "--dev", optionalDependencies: "--optional" };

/** Which lockfile files to look for, in order of precedence. */
export const LOCKFILES = ["package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock"] as const;

/**
 * The package manager for a project, from its lockfile (the first of
 * `LOCKFILES` present) and `packageManager` field; null without a lockfile.
 */
export function detectPackageManager(lockfile: (typeof LOCKFILES)[number] | null, lockText: string, pkg: PackageJson): PackageManager | null {
  // `packageManager` is repository content and ends up on a command line: a plain version only.
  const pinned = /^(pnpm|yarn)@(\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.]+)?)(?:\+|$)/.exec(pkg.packageManager ?? "");
  switch (lockfile) {
    case null:
      return null;
    case "package-lock.json":
    case "npm-shrinkwrap.json":
      return {
        name: "npm",
        lockfile,
        lockfileKind: "npm",
        label: "npm",
        add: (name, version, section) => `npm install ${name}@${version} --save-exact ${NPM_SECTION[section]} ${NPM_FLAGS}`,
        sync: () => `npm install ${NPM_FLAGS}`,
        update: (name) => `npm update ${name} ${NPM_FLAGS}`,
      };
    case "pnpm-lock.yaml": {
      const version = pinned?.[1] === "pnpm" ? pinned[2]! : pnpmForLockfile(lockText);
      // CI=true makes pnpm refuse to touch the lockfile unless told otherwise.
      const pnpm = `npx --yes pnpm@${version}`;
      return {
        name: "pnpm",
        lockfile,
        lockfileKind: "pnpm",
        label: `pnpm@${version} (npx)`,
        add: (name, v, section) => `${pnpm} add ${name}@${v} --save-exact ${PNPM_SECTION[section]} --lockfile-only --ignore-scripts`,
        sync: () => `${pnpm} install --lockfile-only --ignore-scripts --no-frozen-lockfile`,
        update: () => null,
      };
    }
    case "yarn.lock": {
      const berry = /^__metadata:/m.test(lockText);
      const version = pinned?.[1] === "yarn" ? pinned[2]! : berry ? "4" : "1";
      if (berry || !version.startsWith("1")) {
        const yarn = `npx --yes -p @yarnpkg/cli-dist@${version} yarn`;
        return {
          name: "yarn",
          lockfile,
          lockfileKind: "yarn-berry",
          label: `yarn@${version} (npx)`,
          add: (name, v, section) => `${yarn} add ${name}@${v} --exact ${YARN_SECTION[section]} --mode=update-lockfile`,
          sync: () => `YARN_ENABLE_IMMUTABLE_INSTALLS=0 ${yarn} install --mode=update-lockfile`,
          update: () => null,
        };
      }
      // Yarn 1 has no lockfile-only mode: it installs (scripts off) into node_modules, which git ignores.
      const yarn = `npx --yes yarn@${version}`;
      return {
        name: "yarn",
        lockfile,
        lockfileKind: "yarn-classic",
        label: `yarn@${version} (npx)`,
        add: (name, v, section) => `${yarn} add ${name}@${v} --exact ${YARN_SECTION[section]} --ignore-scripts --non-interactive --ignore-engines`,
        sync: () => `${yarn} install --ignore-scripts --non-interactive --ignore-engines`,
        update: () => null,
      };
    }
  }
}

function pnpmForLockfile(text: string): string {
  const version = /^lockfileVersion:\s*'?(\d+)/m.exec(text)?.[1];
  if (version === "5") return "7";
  if (version === "6") return "8";
  return "9";
}
