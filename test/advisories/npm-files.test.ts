import { describe, expect, it } from "vitest";
import { dependabotBranchPattern, versionsFromTitle } from "../../src/advisories/dependabot-branches.ts";
import { checkLockfileDiff } from "../../src/advisories/npm/check-lockfile-diff.ts";
import { addOverrides, nextSpec, replaceSpec } from "../../src/advisories/npm/edit-manifest.ts";
import { changelogBetween } from "../../src/advisories/npm/fetch-changelog.ts";
import { detectPackageManager } from "../../src/advisories/npm/package-managers.ts";
import { readLockfile } from "../../src/advisories/npm/read-lockfile.ts";
import { optimistProject } from "./fixtures.ts";

describe("package.json edits", () => {
  const text = '{\n    "name": "x",\n    "devDependencies": {"zeta": "1.0.0",   "lodash": "^4.17.20"},\n    "dependencies": { "lodash": "~1.0.0" }\n}\n';

  it("changes exactly one spec, in its section, and keeps the formatting", () => {
    expect(replaceSpec(text, "devDependencies", "lodash", "^4.17.21")).toBe(text.replace('"lodash": "^4.17.20"', '"lodash": "^4.17.21"'));
    expect(() => replaceSpec(text, "optionalDependencies", "lodash", "1.0.0")).toThrow(/no "optionalDependencies"/);
  });

  it.each([
    ["^4.17.20", "4.17.21", "^4.17.21"],
    ["~1.2.0", "1.2.6", "~1.2.6"],
    ["1.2.0", "1.2.6", "1.2.6"],
    ["=1.2.0", "1.2.6", "1.2.6"],
    [">=1.2.0", "1.2.6", ">=1.2.6"],
    ["*", "1.2.6", "*"],
    ["1.x", "1.2.6", "1.x"],
    ["1.x", "2.0.1", "^2.0.1"],
  ])("%s moved to %s is written %s", (spec, version, expected) => {
    expect(nextSpec(spec, version)).toBe(expected);
  });

  it("adds overrides in each package manager's field, keeping the file's indentation", () => {
    const o = [{ parent: "optimist", name: "minimist", version: "0.2.4" }];
    const base = '{\n\t"name": "x",\n\t"overrides": { "other": "1.0.0", "optimist": "0.6.1" }\n}\n';
    expect(JSON.parse(addOverrides(base, "npm", o))).toEqual({ name: "x", overrides: { other: "1.0.0", optimist: { ".": "0.6.1", minimist: "0.2.4" } } });
    expect(addOverrides(base, "npm", o)).toMatch(/^\{\n\t"name"/);
    expect(addOverrides(base, "npm", o).endsWith("}\n")).toBe(true);
    expect(JSON.parse(addOverrides('{"name":"x"}', "pnpm", o))).toEqual({ name: "x", pnpm: { overrides: { "optimist>minimist": "0.2.4" } } });
    expect(JSON.parse(addOverrides('{"name":"x"}', "yarn", o))).toEqual({ name: "x", resolutions: { "**/optimist/minimist": "0.2.4" } });
  });
});

describe("lockfiles", () => {
  it("reads package-lock.json v3: packages with their requirements, and the root's specs", () => {
    const inv = readLockfile("npm", optimistProject()["package-lock.json"]!);
    expect(inv.root).toEqual({ ms: "2.1.2", optimist: "0.6.1" });
    expect(inv.entries.find((e) => e.name === "optimist")).toEqual({ name: "optimist", version: "0.6.1", dependencies: { minimist: "~0.0.1", wordwrap: "~0.0.2" } });
    expect(() => readLockfile("npm", '{"lockfileVersion":1,"dependencies":{}}')).toThrow(/npm 7 or later/);
  });

  it("reads pnpm-lock.yaml v9 and v6, scoped names and peer suffixes included", () => {
    const v9 = "lockfileVersion: '9.0'\npackages:\n  '@babel/core@7.1.0':\n    resolution: {integrity: x}\n  minimist@0.0.10:\n    resolution: {integrity: y}\nsnapshots:\n  '@babel/core@7.1.0(supports-color@5.0.0)':\n    dependencies:\n      minimist: 0.0.10\n  minimist@0.0.10: {}\n";
    expect(readLockfile("pnpm", v9).entries).toEqual([
      { name: "@babel/core", version: "7.1.0", dependencies: { minimist: "0.0.10" } },
      { name: "minimist", version: "0.0.10", dependencies: {} },
    ]);
    const v6 = "lockfileVersion: '6.0'\npackages:\n  /optimist@0.6.1:\n    dependencies:\n      minimist: 0.0.10\n  /minimist@0.0.10:\n    dev: false\n";
    expect(readLockfile("pnpm", v6).entries.map((e) => `${e.name}@${e.version}`)).toEqual(["optimist@0.6.1", "minimist@0.0.10"]);
    expect(readLockfile("pnpm", "lockfileVersion: 5.4\npackages:\n  /@types/node/18.0.0_typescript@5.0.0:\n    dev: true\n").entries[0]).toMatchObject({ name: "@types/node", version: "18.0.0" });
  });

  it("reads yarn.lock of yarn 1 and of yarn 2+", () => {
    const classic = '# yarn lockfile v1\n\n\n"@scope/a@^1.0.0", "@scope/a@^1.1.0":\n  version "1.2.0"\n  resolved "https://r/a.tgz"\n  dependencies:\n    minimist "~0.0.1"\n\nminimist@~0.0.1:\n  version "0.0.10"\n';
    expect(readLockfile("yarn-classic", classic).entries).toEqual([
      { name: "@scope/a", version: "1.2.0", dependencies: { minimist: "~0.0.1" } },
      { name: "minimist", version: "0.0.10", dependencies: {} },
    ]);
    const berry = '__metadata:\n  version: 8\n\n"optimist@npm:0.6.1":\n  version: 0.6.1\n  dependencies:\n    minimist: "npm:~0.0.1"\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n';
    expect(readLockfile("yarn-berry", berry).entries).toEqual([{ name: "optimist", version: "0.6.1", dependencies: { minimist: "~0.0.1" } }]);
  });

  it("allows the upgraded package and what it needs to change, nothing else", () => {
    const entry = (name: string, version: string, dependencies: Record<string, string> = {}) => ({ name, version, dependencies });
    const before = { root: { a: "^1.0.0", b: "1.0.0" }, entries: [entry("a", "1.0.0", { old: "1" }), entry("old", "1.0.0"), entry("b", "1.0.0")] };
    const after = { root: { a: "^1.1.0", b: "1.0.0" }, entries: [entry("a", "1.1.0", { fresh: "2" }), entry("fresh", "2.0.0"), entry("b", "1.0.0")] };
    expect(checkLockfileDiff(before, after, ["a"])).toEqual({ added: ["a@1.1.0", "fresh@2.0.0"], removed: ["a@1.0.0", "old@1.0.0"], problems: [] });
    const drifted = { ...after, entries: [...after.entries.slice(0, 2), entry("b", "1.0.1")] };
    expect(checkLockfileDiff(before, drifted, ["a"]).problems).toEqual(["unrelated lockfile entries changed: `b@1.0.1`, `b@1.0.0`"]);
    expect(checkLockfileDiff(before, { ...after, root: { ...after.root, b: "^1.0.0" } }, ["a"]).problems).toEqual(["the lockfile's root requirement of `b` changed"]);
  });

  it("finds the package manager and the version to fetch from the registry", () => {
    expect(detectPackageManager("package-lock.json", "{}", {})?.add("lodash", "4.17.21", "devDependencies")).toBe(
      "npm install lodash@4.17.21 --save-exact --save-dev --package-lock-only --ignore-scripts --no-audit --no-fund --loglevel=error",
    );
    expect(detectPackageManager("pnpm-lock.yaml", "lockfileVersion: '6.0'\n", {})?.label).toBe("pnpm@8 (npx)");
    expect(detectPackageManager("pnpm-lock.yaml", "lockfileVersion: '9.0'\n", { packageManager: "pnpm@9.12.3+sha512.abc" })?.sync()).toContain("npx --yes pnpm@9.12.3 install --lockfile-only");
    expect(detectPackageManager("yarn.lock", "# yarn lockfile v1\n", {})?.lockfileKind).toBe("yarn-classic");
    expect(detectPackageManager("yarn.lock", "__metadata:\n  version: 8\n", {})?.lockfileKind).toBe("yarn-berry");
    expect(detectPackageManager(null, "", {})).toBeNull();
  });
});

describe("changelog and Dependabot's branches", () => {
  it("keeps the sections after the old version up to the new one", () => {
    const changelog = "# Changelog\n\n## 4.0.10\n- fix ReDoS\n\n## v4.0.0 (2021-11-02)\n- BREAKING: no default export\n\nv3.0.8\n------\n- old\n";
    expect(changelogBetween(changelog, "3.0.8", "4.0.10")).toBe("## 4.0.10\n- fix ReDoS\n\n## v4.0.0 (2021-11-02)\n- BREAKING: no default export");
    expect(changelogBetween(changelog, "4.0.10", "4.0.12")).toBe("");
  });

  it("matches Dependabot's branch for the package only", () => {
    const lodash = dependabotBranchPattern("lodash");
    expect(lodash.test("dependabot/npm_and_yarn/lodash-4.17.21")).toBe(true);
    expect(lodash.test("dependabot/npm_and_yarn/frontend/lodash-4.17.21")).toBe(true);
    expect(lodash.test("dependabot/npm_and_yarn/lodash.merge-4.6.2")).toBe(false);
    expect(lodash.test("dependabot/npm_and_yarn/lodash-es-4.17.21")).toBe(false);
    expect(lodash.test("dependabot/pip/lodash-4.17.21")).toBe(false);
    expect(dependabotBranchPattern("@types/node").test("dependabot/npm_and_yarn/types/node-20.1.1")).toBe(true);
    expect(versionsFromTitle("Bump marked from 3.0.8 to 4.0.10")).toEqual({ from: "3.0.8", to: "4.0.10" });
    expect(versionsFromTitle("Bump marked from 3.0.8 to 4.0.10 in /web")).toEqual({ from: "3.0.8", to: "4.0.10" });
  });
});
