/**
 * Which pnpm, Yarn and Bun the job ran with, in the order CI would have
 * picked them: the setup action's input, a global install in a `run:`
 * script (`npm i -g pnpm@8`, `corepack prepare pnpm@8 --activate`), the
 * `packageManager` field (what Corepack and pnpm/action-setup read), then
 * the lockfile or a bare invocation in a script (what a hosted runner has).
 */
import { parsePackageManager, readVersionFile } from "./read-version-file.ts";
import type { RepoView } from "./repo-view.ts";
import type { ToolName, ToolRequest } from "./types.ts";

type Manager = Extract<ToolName, "pnpm" | "yarn" | "bun">;

/**
 * pnpm's `lockfileVersion` and the pnpm line that writes it. 9.0 is written
 * by pnpm 9 and later: 10 is the newest line that still runs on Node 18 as
 * plain JavaScript (11 needs Node 22.13, 12 is a native binary).
 */
const PNPM_BY_LOCKFILE: Readonly<Record<string, string>> = {
  "5.3": "^6",
  "5.4": "^7",
  "6.0": "^8",
  "6.1": "^8",
  "7.0": "^9",
  "9.0": "^10",
};

/** The version a `run:` script installs globally or activates through Corepack, if any. */
function scriptedInstall(view: RepoView, manager: Manager): ToolRequest | null {
  const patterns = [
    new RegExp(`\\b(?:npm|pnpm|yarn)\\s+(?:i|install|add)\\s+(?:-g|--global)\\s+${manager}(?:@([^\\s'"]+))?(?=[\\s'";&|]|$)`, "m"),
    new RegExp(`\\b(?:npm|pnpm)\\s+(?:i|install|add)\\s+${manager}(?:@([^\\s'"]+))?\\s+(?:-g|--global)\\b`, "m"),
    new RegExp(`\\bcorepack\\s+(?:prepare|install\\s+(?:-g|--global)|use)\\s+${manager}@([^\\s'"]+)`, "m"),
  ];
  for (const script of view.scripts) {
    for (const pattern of patterns) {
      const m = pattern.exec(script);
      if (m) return { tool: manager, spec: m[1] ?? "latest", source: `run: ${m[0].trim()}` };
    }
  }
  return null;
}

/** The `packageManager` field when it names `manager` (`pnpm@9.1.0+sha512…` → `9.1.0`). */
async function fromPackageManagerField(view: RepoView, manager: Manager): Promise<ToolRequest | null> {
  const pkg = await view.packageJson();
  const pinned = parsePackageManager(pkg?.facts.packageManager);
  if (!pkg || pinned?.name !== manager) return null;
  const corepack = view.scriptsRun("corepack") ? ", corepack enable" : "";
  return { tool: manager, spec: pinned.version, source: `${pkg.path} packageManager${corepack}` };
}

export async function resolvePnpmRequest(view: RepoView): Promise<ToolRequest | null> {
  const step = view.action("pnpm/action-setup");
  const version = step?.with["version"]?.trim() ?? "";
  if (version !== "") return { tool: "pnpm", spec: version, source: "pnpm/action-setup version" };
  const chosen = scriptedInstall(view, "pnpm") ?? (await fromPackageManagerField(view, "pnpm"));
  if (chosen) return chosen;
  const lockfile = await view.findFirst(["pnpm-lock.yaml"]);
  if (!lockfile && !step && !view.scriptsRun("pnpm") && !view.scriptsRun("pnpx")) return null;
  if (step) view.notes.push("pnpm/action-setup has no version input and package.json pins no pnpm: the action would have failed in CI.");
  const lockfileVersion = lockfile ? /^lockfileVersion:\s*['"]?([\d.]+)['"]?/m.exec(lockfile.contents)?.[1] : undefined;
  if (lockfile && lockfileVersion !== undefined) {
    const spec = PNPM_BY_LOCKFILE[lockfileVersion];
    if (spec) return { tool: "pnpm", spec, source: `${lockfile.path} lockfileVersion ${lockfileVersion}` };
    view.notes.push(`${lockfile.path} has lockfileVersion ${lockfileVersion}, which no known pnpm line writes; using the latest pnpm.`);
  }
  return { tool: "pnpm", spec: "latest", source: lockfile ? lockfile.path : "run: pnpm" };
}

export async function resolveYarnRequest(view: RepoView): Promise<ToolRequest | null> {
  const scripted = scriptedInstall(view, "yarn");
  if (scripted) return scripted;
  const pinned = await fromPackageManagerField(view, "yarn");
  const berryPinned = pinned !== null && !/^1\./.test(pinned.spec);
  const rc = await view.findFirst([".yarnrc.yml"]);
  const yarnPath = rc ? /^yarnPath:\s*['"]?([^'"\n#]+?)['"]?\s*(?:#.*)?$/m.exec(rc.contents)?.[1] : undefined;
  if (rc && yarnPath !== undefined && (pinned === null || berryPinned)) {
    // Yarn 1.22 reads yarnPath from .yarnrc.yml and hands over to that committed release.
    const release = pinned ? `; packageManager pins ${pinned.spec}` : "";
    view.notes.push(`${rc.path} sets yarnPath ${yarnPath}: Yarn 1.22 is provided as the launcher and runs that committed release${release}.`);
    return { tool: "yarn", spec: "1.22", source: `${rc.path} yarnPath` };
  }
  if (pinned) return pinned;
  const lockfile = await view.findFirst(["yarn.lock"]);
  if (lockfile && /^__metadata:/m.test(lockfile.contents)) {
    view.notes.push(`${lockfile.path} is a Yarn Berry lockfile but no Yarn version is pinned (packageManager, yarnPath): using the latest Yarn.`);
    return { tool: "yarn", spec: ">=2", source: `${lockfile.path} (Berry format)` };
  }
  if (lockfile || view.scriptsRun("yarn")) {
    // Hosted runners ship Yarn classic 1.22.
    return { tool: "yarn", spec: "1", source: lockfile ? lockfile.path : "run: yarn" };
  }
  return null;
}

export async function resolveBunRequest(view: RepoView): Promise<ToolRequest | null> {
  const step = view.action("oven-sh/setup-bun");
  const version = step?.with["bun-version"]?.trim() ?? "";
  if (version !== "") return { tool: "bun", spec: version.replace(/^v(?=\d)/, ""), source: "oven-sh/setup-bun bun-version" };
  const file = step?.with["bun-version-file"]?.trim() ?? "";
  if (file !== "") {
    const contents = await view.read(file);
    const found = contents === null ? null : readVersionFile("bun", file, contents);
    if (found) return { tool: "bun", spec: found.spec, source: `oven-sh/setup-bun bun-version-file ${file}${found.field ? ` (${found.field})` : ""}` };
    view.notes.push(`oven-sh/setup-bun reads bun-version-file ${file}, which ${contents === null ? "is not in the repository" : "names no version"}.`);
  }
  const chosen = scriptedInstall(view, "bun") ?? (await fromPackageManagerField(view, "bun"));
  if (chosen) return chosen;
  if (step) return { tool: "bun", spec: "latest", source: "oven-sh/setup-bun (no version: latest)" };
  const lockfile = await view.findFirst(["bun.lock", "bun.lockb"]);
  if (lockfile || view.scriptsRun("bun") || view.scriptsRun("bunx")) {
    return { tool: "bun", spec: "latest", source: lockfile ? lockfile.path : "run: bun" };
  }
  return null;
}
