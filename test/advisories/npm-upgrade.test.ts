import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isVulnerable } from "../../src/advisories/choose-version.ts";
import { npm } from "../../src/advisories/ecosystems/npm.ts";
import type { UpgradeResult } from "../../src/advisories/ecosystems/types.ts";
import { readLockfile } from "../../src/advisories/npm/read-lockfile.ts";
import { mergeVulnerability, parseAlert, type AlertLike } from "../../src/advisories/parse-alert.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { dependabotAlert } from "../support/payloads.ts";
import { ADVISORIES, lodashPnpmProject, lodashProject, mkdirpProject, optimistProject } from "./fixtures.ts";

/**
 * The npm ecosystem against the REAL npm registry, in the real sandbox: the
 * registry questions and lockfile commands run in bubblewrap with network.
 * Each case starts from a fixture project and a real advisory.
 */

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "pw-npm-upgrade-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(root, name);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}

async function upgrade(dir: string, advisory: Parameters<typeof dependabotAlert>[0]): Promise<{ result: UpgradeResult; events: string[] }> {
  const parsed = parseAlert(dependabotAlert(advisory)["alert"] as AlertLike);
  if (!parsed.ok || !npm.supported) throw new Error("bad fixture");
  const events: string[] = [];
  const result = await npm.upgrade({
    dir,
    sandbox: await createSandbox({ root: dir }),
    advisory: parsed.trigger,
    vulnerability: mergeVulnerability([parsed.trigger]),
    onEvent: (kind, data) => void events.push(`${kind} ${JSON.stringify(data)}`),
  });
  return { result, events };
}

const read = (dir: string, file: string) => readFile(path.join(dir, file), "utf8");
const versions = (lock: string, name: string) => readLockfile("npm", lock).entries.filter((e) => e.name === name).map((e) => e.version);
const others = (lock: string, ...names: string[]) => readLockfile("npm", lock).entries.filter((e) => !names.includes(e.name));

describe("npm upgrades against the real registry", () => {
  it("bumps a direct dependency to the smallest patched release of its major, and nothing else", async () => {
    const files = lodashProject();
    const dir = await project("direct", files);
    const { result } = await upgrade(dir, ADVISORIES.lodash);
    expect(result).toMatchObject({
      status: "upgraded",
      tool: "npm",
      files: ["package.json", "package-lock.json"],
      versions: { from: ["4.17.20"], to: ["4.17.21"] },
      changes: [{ name: "lodash", from: "4.17.20", to: "4.17.21", how: "direct", spec: { from: "^4.17.20", to: "^4.17.21" }, major: false }],
      lockfile: { added: ["lodash@4.17.21"], removed: ["lodash@4.17.20"] },
    });
    // package.json: one line. The lockfile resolves 4.17.21 and every other entry is as it was.
    expect(await read(dir, "package.json")).toBe(files["package.json"]!.replace('"lodash": "^4.17.20"', '"lodash": "^4.17.21"'));
    const lock = await read(dir, "package-lock.json");
    expect(versions(lock, "lodash")).toEqual(["4.17.21"]);
    expect(JSON.parse(lock).packages["node_modules/lodash"].resolved).toBe("https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz");
    expect(others(lock, "lodash")).toEqual(others(files["package-lock.json"]!, "lodash"));
    expect(readLockfile("npm", lock).root).toEqual({ lodash: "^4.17.21", ms: "2.1.2" });
  });

  it("overrides a transitive dependency under a parent that has no fixed release", async () => {
    const files = optimistProject();
    const dir = await project("transitive", files);
    const { result } = await upgrade(dir, ADVISORIES.minimist);
    expect(result).toMatchObject({
      status: "upgraded",
      versions: { from: ["0.0.10"], to: ["0.2.4"] },
      changes: [{ name: "minimist", from: "0.0.10", to: "0.2.4", how: "override", via: "optimist", major: false }],
      lockfile: { added: ["minimist@0.2.4"], removed: ["minimist@0.0.10"] },
    });
    expect(JSON.parse(await read(dir, "package.json"))).toEqual({ ...JSON.parse(files["package.json"]!), overrides: { optimist: { minimist: "0.2.4" } } });
    const lock = await read(dir, "package-lock.json");
    expect(versions(lock, "minimist")).toEqual(["0.2.4"]);
    expect(others(lock, "minimist")).toEqual(others(files["package-lock.json"]!, "minimist"));
  });

  it("bumps the parent instead when a release of its major requires a safe range", async () => {
    const dir = await project("parent", mkdirpProject());
    const { result } = await upgrade(dir, ADVISORIES.minimist);
    expect(result).toMatchObject({ status: "upgraded", changes: [{ name: "mkdirp", from: "0.5.1", to: "0.5.6", how: "parent", via: "minimist", spec: { from: "^0.5.1", to: "^0.5.6" } }] });
    expect(JSON.parse(await read(dir, "package.json")).dependencies).toEqual({ mkdirp: "^0.5.6" });
    const minimist = versions(await read(dir, "package-lock.json"), "minimist");
    expect(minimist).toHaveLength(1);
    expect(isVulnerable(minimist[0]!, mergeVulnerability([{ vulnerableRanges: ["< 0.2.4", ">= 1.0.0, < 1.2.6"] }]))).toBe(false);
  });

  it("upgrades with pnpm, fetched from the registry, when the project uses it", async () => {
    const files = lodashPnpmProject();
    const dir = await project("pnpm", files);
    const { result } = await upgrade(dir, ADVISORIES.lodash);
    expect(result).toMatchObject({ status: "upgraded", tool: "pnpm@9 (npx)", files: ["package.json", "pnpm-lock.yaml"], lockfile: { added: ["lodash@4.17.21"], removed: ["lodash@4.17.20"] } });
    const lock = await read(dir, "pnpm-lock.yaml");
    expect(lock).toContain("specifier: ^4.17.21\n        version: 4.17.21");
    expect(lock).not.toContain("4.17.20");
    expect(lock.replaceAll("4.17.21", "4.17.20").replace(/lodash@4\.17\.20:\n {4}resolution: \{integrity: [^}]+\}/, "")).toBe(
      files["pnpm-lock.yaml"]!.replace(/lodash@4\.17\.20:\n {4}resolution: \{integrity: [^}]+\}/, ""),
    );
  });

  it("does nothing when every installed copy is already safe", async () => {
    const dir = await project("safe", lodashProject());
    const { result } = await upgrade(dir, { ...ADVISORIES.lodash, vulnerabilities: [{ range: "< 4.17.0", firstPatched: "4.17.0" }] });
    expect(result).toEqual({ status: "safe", versions: ["4.17.20"] });
  });

  it("leaves the project as it was when no safe release exists, and says why", async () => {
    const files = lodashProject();
    const dir = await project("hopeless", files);
    const { result } = await upgrade(dir, { ...ADVISORIES.lodash, vulnerabilities: [{ range: ">= 0.0.1", firstPatched: null }] });
    expect(result).toMatchObject({ status: "failed", reason: expect.stringContaining("no published release of lodash above 4.17.20") });
    expect(await read(dir, "package.json")).toBe(files["package.json"]);
    expect(await read(dir, "package-lock.json")).toBe(files["package-lock.json"]);
  });

  it("reads the changelog between two versions from the package's registry tarball", async () => {
    const dir = await project("changelog", { "package.json": "{}\n" });
    if (!npm.supported) throw new Error("npm is supported");
    const text = await npm.changelog({ sandbox: await createSandbox({ root: dir }), name: "debug", from: "2.6.7", to: "2.6.9", cwd: "." });
    expect(text).toMatch(/^2\.6\.9 \/ 2017-09-22\n=+\n\n {2}\* remove ReDoS regexp in %o formatter/);
    expect(text).toContain("2.6.8 / 2017-05-18");
    expect(text).not.toContain("2.6.7 / 2017-05-16");
    // A package without a changelog: nothing, not an error.
    expect(await npm.changelog({ sandbox: await createSandbox({ root: dir }), name: "marked", from: "3.0.8", to: "4.0.10", cwd: "." })).toBe("");
  });

  it("refuses a project without a lockfile, naming what is missing", async () => {
    const { "package-lock.json": _lock, ...files } = lodashProject();
    const dir = await project("unlocked", files);
    const { result } = await upgrade(dir, ADVISORIES.lodash);
    expect(result).toMatchObject({ status: "unsupported", reason: expect.stringContaining("has no lockfile") });
  });
});
