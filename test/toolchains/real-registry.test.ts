/**
 * Against the real npm registry: real Node.js, npm, pnpm, Yarn and Bun
 * tarballs, provided and run through their shims. Fails if a shim or the
 * layout is wrong; shows that the npm chosen for Node.js 18 runs on it (the
 * image's npm would refuse it), and that Yarn 1.22 runs a repository's
 * committed `yarnPath` release (what the resolver relies on for Berry
 * projects).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToolchainCache } from "../../src/toolchains/toolchain-cache.ts";

const REGISTRY = "https://registry.npmjs.org";

beforeAll(() => nock.enableNetConnect("registry.npmjs.org"));
afterAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});

describe("toolchains from registry.npmjs.org", () => {
  const root = path.join(mkdtempSync(path.join(tmpdir(), "real-registry-")), "cache");
  const cache = createToolchainCache({ root, registryUrl: REGISTRY });
  const env = (bin: string) => ({ PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: path.dirname(root), COREPACK_ENABLE_DOWNLOAD_PROMPT: "0" });
  const run = (bin: string, command: string, args: string[], cwd = path.dirname(root)) =>
    spawnSync(path.join(bin, command), args, { cwd, encoding: "utf8", env: env(bin), timeout: 60_000 });

  it("provides pnpm 9.15.0 and Yarn 1.22.22 whose shims run", { timeout: 240_000 }, async () => {
    const provided = await cache.provide([
      { tool: "pnpm", spec: "9.15.0", source: "test" },
      { tool: "yarn", spec: "1", source: "test" },
    ]);
    expect(provided.missing).toEqual([]);
    const [pnpm, yarn] = provided.tools;
    expect(pnpm?.version).toBe("9.15.0");
    expect(yarn?.version).toMatch(/^1\.22\.\d+$/);
    const pnpmBin = path.join(pnpm!.hostDir, "bin");
    const yarnBin = path.join(yarn!.hostDir, "bin");
    expect(run(pnpmBin, "pnpm", ["--version"]).stdout.trim()).toBe("9.15.0");
    expect(run(yarnBin, "yarn", ["--version"]).stdout.trim()).toBe(yarn!.version);
    expect(run(yarnBin, "yarnpkg", ["--version"]).stdout.trim()).toBe(yarn!.version);

    // Yarn 1.22 honours yarnPath from .yarnrc.yml: a committed release is what runs.
    const project = path.join(path.dirname(root), "berry-project");
    mkdirSync(path.join(project, ".yarn", "releases"), { recursive: true });
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "p", packageManager: "yarn@4.5.0" }));
    writeFileSync(path.join(project, ".yarnrc.yml"), "yarnPath: .yarn/releases/yarn-4.5.0.cjs\n");
    writeFileSync(path.join(project, ".yarn", "releases", "yarn-4.5.0.cjs"), 'console.log("committed release", process.argv.slice(2).join(" "));\n');
    expect(run(yarnBin, "yarn", ["--version"], project).stdout.trim()).toBe("committed release --version");

    const again = await cache.provide([{ tool: "pnpm", spec: "9.15.0", source: "test" }]);
    expect(again.tools[0]?.cached).toBe(true);
  });

  it("provides a Berry release from @yarnpkg/cli-dist", { timeout: 240_000 }, async () => {
    const provided = await cache.provide([{ tool: "yarn", spec: "4.5.0", source: "test" }]);
    expect(provided.missing).toEqual([]);
    const bin = path.join(provided.tools[0]!.hostDir, "bin");
    expect(run(bin, "yarn", ["--version"]).stdout.trim()).toBe("4.5.0");
  });

  it("provides Node.js 18 with an npm that runs on it", { timeout: 600_000 }, async () => {
    const provided = await cache.provide([{ tool: "node", spec: "18", source: "test" }]);
    expect(provided.missing).toEqual([]);
    const [node, npm] = provided.tools;
    expect(node?.version).toMatch(/^18\.\d+\.\d+$/);
    expect(npm?.tool).toBe("npm");
    // npm 10 is the last line whose engines admit Node.js 18 (npm 11 needs ^20.17.0 || >=22.9.0).
    expect(npm?.version).toMatch(/^10\.\d+\.\d+$/);
    // Only the two entries and the system: no other node or npm to fall back on.
    const PATH = `${path.join(node!.hostDir, "bin")}:${path.join(npm!.hostDir, "bin")}:/usr/bin:/bin`;
    const project = path.join(path.dirname(root), "npm-project");
    mkdirSync(project);
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "p", version: "1.0.0", scripts: { agent: "echo $npm_config_user_agent" } }));
    const sh = (command: string, args: string[]) =>
      spawnSync(command, args, { cwd: project, encoding: "utf8", env: { PATH, HOME: path.dirname(root), ...npm!.env }, timeout: 60_000 });
    expect(sh("node", ["-e", "console.log(process.version)"]).stdout.trim()).toBe(`v${node!.version}`);
    const version = sh("npm", ["--version"]);
    expect([version.status, version.stdout.trim(), version.stderr]).toEqual([0, npm!.version, ""]);
    // npm's user agent names the Node.js it runs on.
    const agent = sh("npm", ["run", "--silent", "agent"]);
    expect([agent.status, agent.stdout]).toEqual([0, expect.stringContaining(`npm/${npm!.version} node/v${node!.version} linux x64`)]);
    expect(sh("npx", ["--version"]).stdout.trim()).toBe(npm!.version);

    const again = await cache.provide([{ tool: "node", spec: node!.version, source: "test" }]);
    expect(again.tools.map((t) => [t.tool, t.cached])).toEqual([
      ["node", true],
      ["npm", true],
    ]);
  });

  it("provides Bun 1.1.38", { timeout: 600_000 }, async () => {
    const provided = await cache.provide([{ tool: "bun", spec: "1.1.38", source: "test" }]);
    expect(provided.missing).toEqual([]);
    const bin = path.join(provided.tools[0]!.hostDir, "bin");
    expect(run(bin, "bun", ["--version"]).stdout.trim()).toBe("1.1.38");
    expect(run(bin, "bunx", ["--version"]).stdout.trim()).toBe("1.1.38");
  });
});
