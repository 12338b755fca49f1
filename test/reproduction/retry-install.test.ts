import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hostsBeyondRegistries, reproduceRetryingInstall, SCRIPTS_OFF_ENV } from "../../src/reproduction/retry-install.ts";
import type { PlannedStep, ReproductionPlan } from "../../src/reproduction/types.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { tempDir } from "../workspace/helpers.ts";

function planOf(steps: PlannedStep[]): ReproductionPlan {
  return { source: "workflow", description: "job `test`", steps, notes: [], exact: true, runnerEnv: {}, actions: [], approximations: [], jobEnv: {}, jobShell: "bash -e {0}", jobCwd: "." };
}

describe("hostsBeyondRegistries", () => {
  it.each([
    ["[patchwright: the setup network refused downloads.example.com:443, cdn.example.org:443: not an allowed package registry]", ["downloads.example.com:443", "cdn.example.org:443"]],
    ["Error: getaddrinfo ENOTFOUND storage.googleapis.com\n    at GetAddrInfoReqWrap", ["storage.googleapis.com"]],
    ["curl: (6) Could not resolve host: github.com", ["github.com"]],
    ["npm error code ETARGET\nnpm error notarget No matching version found for left-pad@9", []],
  ])("%s", (output, hosts) => {
    expect(hostsBeyondRegistries(output)).toEqual(hosts);
  });
});

describe("reproduceRetryingInstall (real npm, real sandbox)", () => {
  it("retries an install whose postinstall downloads from the web with scripts off, and says so: the failing test is then reached", async () => {
    const root = await tempDir("pw-retry-");
    // A dependency whose install script fetches a binary from the web (as puppeteer's does); the package itself is fine without it.
    await mkdir(path.join(root, "vendor", "fetches-binary"), { recursive: true });
    await writeFile(
      path.join(root, "vendor", "fetches-binary", "package.json"),
      JSON.stringify({ name: "fetches-binary", version: "1.0.0", scripts: { postinstall: "node -e \"require('https').get('https://downloads.example.com/bin', () => {}).on('error', (e) => { console.error(e.message); process.exit(1); })\"" } }),
    );
    await writeFile(path.join(root, "vendor", "fetches-binary", "index.js"), "module.exports = 2;\n");
    await writeFile(path.join(root, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", dependencies: { "fetches-binary": "file:vendor/fetches-binary" } }));
    await writeFile(path.join(root, "test.js"), "const two = require('fetches-binary');\nif (1 + 1 !== two + 1) { console.error('not ok: 1 + 1'); process.exit(1); }\n");
    const sandbox = await createSandbox({ root });
    const plan = planOf([
      { name: "Install", command: "npm install --no-audit --no-fund", shell: "bash -e {0}", cwd: ".", env: {}, network: true },
      { name: "Test", command: "node test.js", shell: "bash -e {0}", cwd: ".", env: {}, network: false },
    ]);

    const { outcome, plan: used, hosts } = await reproduceRetryingInstall(sandbox, plan, { reruns: 0 });

    expect(hosts).toEqual(["downloads.example.com"]);
    expect(outcome.verdict).toBe("red");
    expect(outcome.run.failedStep).toBe("Test");
    expect(used.exact).toBe(false);
    expect(used.steps[0]?.env).toMatchObject(SCRIPTS_OFF_ENV);
    expect(used.steps[0]?.inexact).toContain("install scripts are off");
    expect(used.notes.join("\n")).toContain("`downloads.example.com`");
    expect(used.notes.join("\n")).toContain("setup.allowed_hosts");
    // The test step is not touched.
    expect(used.steps[1]?.env).toEqual({});
  }, 120_000);

  it("does not retry a setup failure that reached nothing beyond the registries", async () => {
    const root = await tempDir("pw-retry-");
    const sandbox = await createSandbox({ root });
    const plan = planOf([
      { name: "Install", command: "echo 'npm error missing script: setup' && exit 1", shell: "bash -e {0}", cwd: ".", env: {}, network: true },
      { name: "Test", command: "true", shell: "bash -e {0}", cwd: ".", env: {}, network: false },
    ]);
    const { outcome, plan: used, hosts } = await reproduceRetryingInstall(sandbox, plan, { reruns: 0 });
    expect(outcome.verdict).toBe("setup_failed");
    expect(hosts).toEqual([]);
    expect(used).toBe(plan);
  });
});
