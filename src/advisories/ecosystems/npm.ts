import { chooseVersion, isVulnerable } from "../choose-version.ts";
import { checkLockfileDiff } from "../npm/check-lockfile-diff.ts";
import { addOverrides, declaredSpec, nextSpec, replaceSpec, type InstallSection, type Override, type PackageJson } from "../npm/edit-manifest.ts";
import { fetchNpmChangelog } from "../npm/fetch-changelog.ts";
import { isPackageName, sandboxRegistry } from "../npm/npm-registry.ts";
import { openNpmProject, readProjectFile, writeProjectFile, type NpmProject } from "../npm/npm-project.ts";
import { dependentsOf, pickParentVersion, refreshCanCure, vulnerableCopies } from "../npm/plan-transitive.ts";
import { readLockfile, type Inventory } from "../npm/read-lockfile.ts";
import { parseVersion, satisfies } from "../semver.ts";
import type { Ecosystem, UpgradeInput, UpgradeResult, VersionChange } from "./types.ts";

const LOCKFILE_TIMEOUT_MS = 10 * 60_000;

/** A lockfile command that failed: the upgrade stops and the checkout is restored. */
class StepFailed extends Error {
  readonly output: string;
  constructor(message: string, output: string) {
    super(message);
    this.output = output;
  }
}

/**
 * npm (and pnpm, yarn): the alerted package moved out of the vulnerable range
 * with the smallest change, in this order —
 *   1. direct     the project's own requirement, pinned to the chosen version
 *   2. refresh    copies required by other packages, re-resolved within their ranges
 *   3. parent     the direct dependency pulling a copy in, bumped within its major
 *   4. override   `overrides` (pnpm `pnpm.overrides`, yarn `resolutions`) under the rest
 * then the lockfile is compared before/after: only the package, bumped parents
 * and what they need may change. Network only for the registry and lockfile commands.
 */
export const npm: Ecosystem = {
  id: "npm",
  supported: true,
  upgrade: upgradeNpmPackage,
  changelog: fetchNpmChangelog,
};

async function upgradeNpmPackage(input: UpgradeInput): Promise<UpgradeResult> {
  const name = input.advisory.package;
  if (!isPackageName(name)) return { status: "unsupported", reason: `\`${name}\` is not an npm package name` };
  const project = await openNpmProject(input.dir, input.advisory.manifestPath);
  if ("unsupported" in project) return { status: "unsupported", reason: project.unsupported };
  const { manager } = project;
  const original = { pkg: await readProjectFile(input.dir, project.manifest), lock: await readProjectFile(input.dir, project.lockfile) };
  let before: Inventory;
  try {
    before = readLockfile(manager.lockfileKind, original.lock);
  } catch (error) {
    return { status: "unsupported", reason: `\`${project.lockfile}\`: ${(error as Error).message}` };
  }
  const copies = before.entries.filter((e) => e.name === name);
  if (!copies.some((c) => isVulnerable(c.version, input.vulnerability))) return { status: "safe", versions: [...new Set(copies.map((c) => c.version))] };

  const steps = new Steps(input, project);
  try {
    const changes = await upgrade(steps, before, JSON.parse(original.pkg) as PackageJson);
    const after = await steps.inventory();
    const left = vulnerableCopies(after, name, input.vulnerability);
    if (left.length > 0) throw new StepFailed(`${name} is still installed at ${left.map((c) => c.version).join(", ")} after the upgrade`, "");
    const diff = checkLockfileDiff(before, after, [name, ...changes.flatMap((c) => (c.how === "parent" ? [c.name] : []))]);
    input.onEvent("upgrade.lockfile", { added: diff.added, removed: diff.removed, problems: diff.problems });
    if (diff.problems.length > 0) throw new StepFailed(`the lockfile changed more than the upgrade needs: ${diff.problems.join("; ")}`, "");
    const versionsOf = (inv: Inventory) => [...new Set(inv.entries.filter((e) => e.name === name).map((e) => e.version))];
    const from = [...new Set(vulnerableCopies(before, name, input.vulnerability).map((c) => c.version))];
    const fresh = versionsOf(after).filter((v) => !versionsOf(before).includes(v));
    return {
      status: "upgraded",
      tool: manager.label,
      files: [project.manifest, project.lockfile],
      changes,
      versions: { from, to: fresh.length > 0 ? fresh : versionsOf(after) },
      lockfile: { path: project.lockfile, added: diff.added, removed: diff.removed },
    };
  } catch (error) {
    await writeProjectFile(input.dir, project.manifest, original.pkg);
    await writeProjectFile(input.dir, project.lockfile, original.lock);
    if (!(error instanceof StepFailed)) throw error;
    return { status: "failed", reason: error.message, ...(error.output ? { details: error.output } : {}) };
  }
}

async function upgrade(steps: Steps, before: Inventory, pkg: PackageJson): Promise<VersionChange[]> {
  const { advisory, vulnerability } = steps.input;
  const name = advisory.package;
  const published = await steps.registry.versions(name);
  const changes: VersionChange[] = [];
  let inventory = before;

  // 1. direct: the copy the project's own requirement resolves to.
  const declared = declaredSpec(pkg, name);
  if (declared) {
    const mine = inventory.entries.filter((e) => e.name === name && satisfies(e.version, declared.spec));
    const current = (mine.length > 0 ? mine : inventory.entries.filter((e) => e.name === name)).find((e) => isVulnerable(e.version, vulnerability));
    if (current) {
      const choice = chooseVersion({ current: current.version, published, vulnerability, packageName: name });
      if (choice.kind === "none") throw new StepFailed(choice.reason, "");
      if (choice.kind === "upgrade") {
        const spec = nextSpec(declared.spec, choice.version);
        await steps.pin(name, choice.version, declared.section, spec);
        changes.push({ name, from: current.version, to: choice.version, how: "direct", spec: { from: declared.spec, to: spec }, major: choice.major, reason: choice.reason });
        inventory = await steps.inventory();
      }
    }
  }

  // 2. refresh: every dependent's range already admits a safe release.
  let left = vulnerableCopies(inventory, name, vulnerability);
  const update = steps.project.manager.update(name);
  const ranges = left.flatMap((c) => dependentsOf(inventory, name, c.version).map((d) => d.dependencies[name]!));
  if (left.length > 0 && update && refreshCanCure(ranges, published, vulnerability)) {
    const saved = await steps.save();
    await steps.run(update);
    const after = await steps.inventory();
    if (vulnerableCopies(after, name, vulnerability).length === 0) {
      const to = [...new Set(after.entries.filter((e) => e.name === name).map((e) => e.version))].join(", ");
      for (const c of left) {
        changes.push({ name, from: c.version, to, how: "refresh", major: false, reason: `The packages that require ${name} already accept ${to}: only the lockfile changes.` });
      }
      inventory = after;
    } else await steps.restore(saved);
    left = vulnerableCopies(inventory, name, vulnerability);
  }

  // 3. parent: bump a direct dependency whose newer release requires a safe range.
  for (const copy of left) {
    for (const parent of dependentsOf(inventory, name, copy.version)) {
      const parentSpec = declaredSpec(pkg, parent.name);
      // Names and versions come from the lockfile: only well-formed ones reach a command line.
      if (!parentSpec || !isPackageName(parent.name) || !parseVersion(parent.version) || changes.some((c) => c.name === parent.name)) continue;
      const major = Number(parent.version.split(".")[0]);
      const candidates = await steps.registry.dependencies(parent.name, `>${parent.version} <${major + 1}.0.0-0`);
      const pick = pickParentVersion({ current: parent.version, candidates, name, published, vulnerability });
      if (!pick) continue;
      const saved = await steps.save();
      const spec = nextSpec(parentSpec.spec, pick.version);
      await steps.pin(parent.name, pick.version, parentSpec.section, spec);
      const after = await steps.inventory();
      if (dependentsOf(after, name, copy.version).some((d) => d.name === parent.name)) {
        await steps.restore(saved);
        continue;
      }
      const requires = pick.requirement === null ? `no longer requires ${name}` : `requires ${name}@${pick.requirement}, outside the vulnerable range`;
      changes.push({
        name: parent.name,
        from: parent.version,
        to: pick.version,
        how: "parent",
        via: name,
        spec: { from: parentSpec.spec, to: spec },
        major: false,
        reason: `${parent.name}@${parent.version} requires ${name}@${parent.dependencies[name]} (vulnerable); ${pick.version} is its smallest release in the same major that ${requires}.`,
      });
      inventory = after;
    }
  }

  // 4. override: force a safe version under each remaining dependent.
  left = vulnerableCopies(inventory, name, vulnerability);
  if (left.length > 0) {
    const overrides: Override[] = [];
    for (const copy of left) {
      const choice = chooseVersion({ current: copy.version, published, vulnerability, packageName: name });
      if (choice.kind === "none") throw new StepFailed(choice.reason, "");
      if (choice.kind !== "upgrade") continue;
      const parents = [...new Set(dependentsOf(inventory, name, copy.version).map((d) => d.name))].filter(isPackageName);
      if (parents.length === 0) throw new StepFailed(`cannot tell which package requires ${name}@${copy.version} in \`${steps.project.lockfile}\``, "");
      for (const parent of parents) overrides.push({ parent, name, version: choice.version });
      changes.push({
        name,
        from: copy.version,
        to: choice.version,
        how: "override",
        via: parents.join(", "),
        major: choice.major,
        reason: `${choice.reason} ${parents.join(", ")} ${parents.length > 1 ? "have" : "has"} no release that requires a safe ${name}, so the version is overridden under ${parents.length > 1 ? "them" : "it"}.`,
      });
    }
    const text = await readProjectFile(steps.input.dir, steps.project.manifest);
    await writeProjectFile(steps.input.dir, steps.project.manifest, addOverrides(text, steps.project.manager.name, overrides));
    await steps.sync();
  }
  return changes;
}

/** The side effects of one upgrade: sandboxed commands with network, and the two files. */
class Steps {
  readonly input: UpgradeInput;
  readonly project: NpmProject;
  readonly registry: ReturnType<typeof sandboxRegistry>;

  constructor(input: UpgradeInput, project: NpmProject) {
    this.input = input;
    this.project = project;
    this.registry = sandboxRegistry(input.sandbox, project.dir);
  }

  async run(command: string): Promise<void> {
    const result = await this.input.sandbox.run(command, { network: true, cwd: this.project.dir, timeoutMs: LOCKFILE_TIMEOUT_MS });
    this.input.onEvent("upgrade.command", { command, exitCode: result.exitCode, durationMs: result.durationMs });
    if (result.exitCode !== 0) throw new StepFailed(`\`${command}\` failed (exit ${result.exitCode})`, result.output);
  }

  /**
   * Pins `name@version` in the lockfile with the package manager, then writes
   * package.json by hand (only that spec changes: the tool would reorder and
   * restyle) and lets the tool bring the lockfile's record of it in line.
   */
  async pin(name: string, version: string, section: InstallSection, spec: string): Promise<void> {
    const text = await readProjectFile(this.input.dir, this.project.manifest);
    await this.run(this.project.manager.add(name, version, section));
    await writeProjectFile(this.input.dir, this.project.manifest, replaceSpec(text, section, name, spec));
    await this.sync();
  }

  sync(): Promise<void> {
    return this.run(this.project.manager.sync());
  }

  async inventory(): Promise<Inventory> {
    return readLockfile(this.project.manager.lockfileKind, await readProjectFile(this.input.dir, this.project.lockfile));
  }

  async save(): Promise<{ pkg: string; lock: string }> {
    return { pkg: await readProjectFile(this.input.dir, this.project.manifest), lock: await readProjectFile(this.input.dir, this.project.lockfile) };
  }

  async restore(saved: { pkg: string; lock: string }): Promise<void> {
    await writeProjectFile(this.input.dir, this.project.manifest, saved.pkg);
    await writeProjectFile(this.input.dir, this.project.lockfile, saved.lock);
  }
}
