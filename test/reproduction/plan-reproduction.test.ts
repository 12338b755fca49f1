import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { planFromConfig, planFromPackageJson } from "../../src/reproduction/plan-fallback.ts";
import { classifyAction, toolchainActions } from "../../src/reproduction/classify-action.ts";
import { followWorkflow, planReproduction, type PlanInput } from "../../src/reproduction/plan-reproduction.ts";
import { readPackageFacts } from "../../src/reproduction/read-package-facts.ts";
import { tempDir } from "../workspace/helpers.ts";
import { GITHUB, apiJob, fixtureText } from "./helpers.ts";

const CI = { path: ".github/workflows/ci.yml", text: fixtureText("ci.yml") };
const FAILED_NPM_TEST = apiJob(
  "test (20, ubuntu-latest)",
  [
    ["Run actions/checkout@v4", "success"],
    ["Set up Node", "success"],
    ["Install", "success"],
    ["Build", "success"],
    ["Run npm test", "failure"],
    ["Upload coverage", "success"],
  ],
  ["Set up Node", "Run actions/checkout@v4"],
);
const NODE_20 = { node: "20.19.0", python: "3.11.7" };

function plan(input: Partial<PlanInput>) {
  const outcome = planReproduction({ toolchain: NODE_20, github: GITHUB, ...input });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.plan;
}

describe("planReproduction from the workflow", () => {
  it("plans exactly the failed job's run steps up to the failed one, as CI ran them", () => {
    const result = plan({ workflow: CI, failedJob: FAILED_NPM_TEST });
    const env = { FORCE_COLOR: "0", SHARED: "job", NODE_LABEL: "node-20" };
    expect(result).toMatchObject({ source: "workflow", notes: [], exact: true });
    expect(result.description).toBe("job `test (20, ubuntu-latest)` of `.github/workflows/ci.yml`, up to the failed step `Run npm test`");
    expect(result.steps).toEqual([
      { name: "Install", command: "npm ci", shell: "bash -e {0}", cwd: "packages/app", env, network: true },
      {
        name: "Build",
        command: "npm run build -- --target=node20",
        shell: "bash -e {0}",
        cwd: "packages/app",
        env: { ...env, STEP_ONLY: "yes", SHARED: "step" },
        network: false,
      },
      { name: "Run npm test", command: "npm test", shell: "bash --noprofile --norc -eo pipefail {0}", cwd: "packages/app", env, network: false },
    ]);
    expect(result.runnerEnv).toMatchObject({
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_SHA: GITHUB.sha,
      GITHUB_REF_NAME: "main",
      GITHUB_WORKSPACE: "/workspace",
      RUNNER_OS: "Linux",
    });
    // Each step gets its own file-command files when it runs.
    expect(result.runnerEnv).not.toHaveProperty("GITHUB_OUTPUT");
    expect(result.jobEnv).toMatchObject({ GITHUB_ACTIONS: "true", FORCE_COLOR: "0", SHARED: "job", NODE_LABEL: "node-20" });
    expect([result.jobShell, result.jobCwd]).toEqual(["bash -e {0}", "packages/app"]);
  });

  it("lists the actions with their kind and inputs; a toolchain version is not compared here", () => {
    const result = plan({ workflow: CI, failedJob: FAILED_NPM_TEST, toolchain: { node: "18.19.0" } });
    expect(result.exact).toBe(true);
    expect(result.actions).toEqual([
      { uses: "actions/checkout@v4", with: {}, step: "Run actions/checkout@v4", kind: "checkout" },
      { uses: "actions/setup-node@v4", with: { "node-version": "20", cache: "npm" }, step: "Set up Node", kind: "toolchain" },
    ]);
    expect(result.approximations).toEqual([{ step: "Set up Node", how: "provided by the toolchain layer" }]);
    expect(toolchainActions(result)).toEqual([{ uses: "actions/setup-node@v4", with: { "node-version": "20", cache: "npm" }, step: "Set up Node" }]);
  });

  it("classifies actions", () => {
    expect(
      ["actions/setup-java@v4", "pnpm/action-setup@v4", "gradle/actions/setup-gradle@v3", "actions/checkout@v4", "actions/cache/restore@v4", "codecov/codecov-action@v5", "actions/github-script@v7", "./local", "docker://alpine"].map(classifyAction),
    ).toEqual(["toolchain", "toolchain", "toolchain", "checkout", "cache", "neutral", "other", "other", "other"]);
  });

  it.each([
    ["a cache and an upload keep it exact", "actions/cache@v4", true, []],
    ["an action that can change the job makes it approximate", "actions/github-script@v7", false, [{ step: "Run x", how: "not run" }]],
  ] as const)("%s", (_, uses, exact, approximations) => {
    const workflow = { path: "w.yml", text: `jobs:\n  build:\n    steps:\n      - uses: actions/upload-artifact@v4\n      - name: Run x\n        uses: ${uses}\n      - run: npm test\n` };
    const result = plan({ workflow, failedJob: apiJob("build", [["Run actions/upload-artifact@v4", "success"], ["Run x", "success"], ["Run npm test", "failure"]]) });
    expect(result.exact).toBe(exact);
    expect(result.approximations).toEqual(approximations);
  });

  it("says how a checkout elsewhere or with submodules is approximated", () => {
    const workflow = { path: "w.yml", text: "jobs:\n  build:\n    steps:\n      - uses: actions/checkout@v4\n        with: { path: app, submodules: true }\n      - run: npm test\n" };
    const result = plan({ workflow, failedJob: apiJob("build", [["Run actions/checkout@v4", "success"], ["Run npm test", "failure"]]) });
    expect(result.exact).toBe(false);
    expect(result.approximations[0]?.how).toBe("CI checked out the repository into `app`; here the workspace root is the repository; submodules are not checked out here");
  });

  it("follows a custom job name, marks secrets and unknown expressions inexact, and resolves secrets to empty", () => {
    const steps = [
      ["Run actions/checkout@v4", "success"],
      ["Run actions/setup-python@v5", "success"],
      ["Run python -m pip install --upgrade pip", "success"],
      ['Run echo "tag=v1" >> "$GITHUB_OUTPUT"', "success"],
      ["Test 3.12", "failure"],
    ] as const;
    const result = plan({ workflow: { path: "py.yml", text: fixtureText("python-matrix.yml") }, failedJob: apiJob("Test on ubuntu-24.04 / py3.12", steps) });
    expect(result.exact).toBe(false);
    expect(result.actions.map((a) => [a.kind, a.with])).toEqual([
      ["checkout", {}],
      ["toolchain", { "python-version": "3.12" }],
    ]);
    expect(result.steps.map((s) => [s.name, s.network])).toEqual([
      ["Run python -m pip install --upgrade pip", true],
      ['Run echo "tag=v1" >> "$GITHUB_OUTPUT"', false],
      ["Test 3.12", false],
    ]);
    const test = result.steps[2];
    expect(test?.command).toBe("python -m pytest --cov-key=\n");
    // Secrets are empty; a variable named like a credential is not passed at all (the sandbox refuses those).
    expect(test?.env).toEqual({ INDEX_URL: "", TAG: "" });
    expect(test?.inexact).toContain("`secrets.INDEX_URL` is a secret");
    expect(test?.inexact).toContain("env PYPI_TOKEN is not passed: the sandbox refuses credentials");
    expect(test?.inexact).toContain("`hashFiles()` is not evaluated locally");
    // `steps.meta.outputs.tag` is evaluated when the step runs, with what `meta` wrote.
    expect(test?.inexact).not.toContain("steps.meta");
    expect(test?.deferred).toMatchObject({ env: { TAG: "${{ steps.meta.outputs.tag }}" } });
    expect(test?.deferred?.run).toBeUndefined();
    expect(result.steps[1]?.id).toBe("meta");
    expect(result.steps[0]?.inexact).toBeUndefined();
  });

  it("decides if: locally when the API does not say, and includes undecidable steps as inexact", () => {
    const workflow = {
      path: "w.yml",
      text: `
on: push
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - if: runner.os == 'Windows'
        run: echo windows only
      - if: github.event_name == 'push'
        run: echo on push
      - if: steps.changes.outputs.src == 'true'
        run: echo maybe
      - if: hashFiles('x') != ''
        run: echo undecided
      - run: npm test
`,
    };
    const result = plan({ workflow, failedJob: { name: "check", steps: [{ name: "Run npm test", number: 6, conclusion: "failure" }] } });
    expect(result.steps.map((s) => s.name)).toEqual(["Run echo on push", "Run echo maybe", "Run echo undecided", "Run npm test"]);
    // An `if:` on earlier steps' outputs is decided when the step runs.
    expect(result.steps[1]).toMatchObject({ deferred: { if: "steps.changes.outputs.src == 'true'" } });
    expect(result.steps[1]?.inexact).toBeUndefined();
    expect(result.notes).toContain("`Run echo windows only` is skipped: its `if:` is false here.");
    expect(result.steps.map((s) => s.name)).toContain("Run echo undecided");
    expect(result.steps.find((s) => s.name === "Run echo undecided")?.inexact).toContain("its `if:` cannot be decided locally");
    expect(result.exact).toBe(false);
  });

  it("trusts the jobs API about skipped steps", () => {
    const workflow = {
      path: "w.yml",
      text: `
jobs:
  check:
    steps:
      - if: steps.changes.outputs.src == 'true'
        run: echo skipped in CI
      - run: npm test
`,
    };
    const failedJob = apiJob("check", [
      ["Run echo skipped in CI", "skipped"],
      ["Run npm test", "failure"],
    ]);
    const result = plan({ workflow, failedJob });
    expect(result.steps.map((s) => s.name)).toEqual(["Run npm test"]);
    expect(result.exact).toBe(true);
  });

  it("resolves shells, working directories under github.workspace, step env, continue-on-error and timeouts", () => {
    const workflow = {
      path: "w.yml",
      text: `
defaults:
  run:
    shell: sh
jobs:
  build:
    defaults:
      run:
        working-directory: ./web/
    steps:
      - run: print("hi")
        shell: python
      - run: make lint
        continue-on-error: true
        working-directory: \${{ github.workspace }}/tools
      - run: make test
        timeout-minutes: 7
        shell: pwsh
`,
    };
    const failedJob = apiJob("build", [
      ['Run print("hi")', "success"],
      ["Run make lint", "success"],
      ["Run make test", "failure"],
    ]);
    const result = plan({ workflow, failedJob, toolchain: {} });
    expect(result.steps.map((s) => [s.shell, s.cwd])).toEqual([
      ["python {0}", "web"],
      ["sh -e {0}", "tools"],
      ["pwsh -command \". '{0}'\"", "web"],
    ]);
    expect(result.steps[0]?.inexact).toContain("no local Python");
    expect(result.steps[1]?.continueOnError).toBe(true);
    expect(result.steps[2]).toMatchObject({ timeoutMs: 420_000, inexact: expect.stringContaining("not available in the Linux sandbox") });
  });

  it("keeps steps after one that writes $GITHUB_ENV exact, and notes other OSes, containers and services", () => {
    const workflow = {
      path: "w.yml",
      text: `
jobs:
  build:
    runs-on: windows-latest
    container: node:20
    services:
      postgres: { image: postgres }
    steps:
      - run: echo "MODE=ci" >> "$GITHUB_ENV"
      - uses: actions/cache@v4
        with: { path: ~/.npm, key: "\${{ hashFiles('package-lock.json') }}" }
      - run: npm test
`,
    };
    const result = plan({ workflow, failedJob: apiJob("build", [["Run echo \"MODE=ci\" >> \"$GITHUB_ENV\"", "success"], ["Run actions/cache@v4", "success"], ["Run npm test", "failure"]]) });
    expect(result.steps[1]?.inexact).toBeUndefined();
    expect(result.approximations).toEqual([
      { step: "runs-on", how: "runs on Linux, not `windows-latest`" },
      { step: "container", how: "the container `node:20` is not used: the worker's system tools are" },
      { step: "services", how: "services are not started (`postgres`)" },
    ]);
    expect(result.notes).toEqual([
      "CI ran the job on `windows-latest`; the sandbox is Linux.",
      "CI ran the job inside the container `node:20`; the sandbox uses the worker's system tools.",
      "CI started service containers (`postgres`); they are not started here.",
      "Actions are not run here: `actions/cache@v4`.",
    ]);
    expect(result.exact).toBe(false);
  });

  it("drops loader variables from the workflow's env and says so", () => {
    const workflow = { path: "w.yml", text: "env:\n  LD_PRELOAD: ./evil.so\n  KEEP: yes\njobs:\n  build:\n    steps:\n      - run: npm test\n" };
    const result = plan({ workflow, failedJob: apiJob("build", [["Run npm test", "failure"]]) });
    expect(result.steps[0]?.env).toEqual({ KEEP: "yes" });
    expect(result.steps[0]?.inexact).toContain("env LD_PRELOAD is not passed");
    expect(result.exact).toBe(false);
  });

  it("runs every run step when the failed step is unknown, skipping trailing actions", () => {
    const result = plan({ workflow: CI, failedJob: { name: "test (18, ubuntu-latest)" }, toolchain: { node: "18.20.0" } });
    expect(result.steps.map((s) => s.name)).toEqual(["Install", "Build", "Run npm test", "Upload coverage"]);
    expect(result.description).toContain("all of its `run:` steps (the failed step is unknown)");
    expect(result.steps[3]?.command).toBe("npx codecov --token=");
    expect(result.exact).toBe(false);
    const trailing = { path: "w.yml", text: "jobs:\n  build:\n    steps:\n      - run: make\n      - uses: actions/upload-artifact@v4\n" };
    const withAction = plan({ workflow: trailing, failedJob: { name: "build", steps: [] } });
    expect([withAction.source, withAction.steps.map((s) => s.name)]).toEqual(["workflow", ["Run make"]]);
    expect(withAction.notes).toContain("Actions are not run here: `actions/upload-artifact@v4`.");
  });

  it("rejects a working directory that leaves the checkout, and falls back", () => {
    const workflow = { path: "w.yml", text: "jobs:\n  build:\n    steps:\n      - run: npm test\n        working-directory: ../sibling\n" };
    const failedJob = apiJob("build", [["Run npm test", "failure"]]);
    const followed = followWorkflow(workflow, failedJob, { toolchain: NODE_20, github: GITHUB });
    expect(followed).toEqual({ ok: false, error: "`w.yml`: step `Run npm test`: working-directory `../sibling` leaves the checkout (`..`)" });
    for (const directory of ["/etc", "~/x", "a/../../b"]) {
      const escaped = { path: "w.yml", text: `jobs:\n  build:\n    steps:\n      - run: npm test\n        working-directory: ${directory}\n` };
      expect(followWorkflow(escaped, failedJob, { toolchain: NODE_20, github: GITHUB }).ok).toBe(false);
    }
    const fallback = plan({ workflow, failedJob, commands: { test: "make test" } });
    expect(fallback.source).toBe("config");
    expect(fallback.notes[0]).toContain("working-directory `../sibling` leaves the checkout");
  });

  it("falls back when the workflow is malformed or the failed step is an action", () => {
    const malformed = planReproduction({ workflow: { path: "w.yml", text: "jobs: [" }, failedJob: FAILED_NPM_TEST, toolchain: NODE_20, github: GITHUB });
    expect(malformed).toMatchObject({ ok: false, notes: [expect.stringContaining("`w.yml`: invalid YAML")] });
    const action = apiJob("test (20, ubuntu-latest)", [
      ["Run actions/checkout@v4", "success"],
      ["Set up Node", "failure"],
    ]);
    const result = plan({ workflow: CI, failedJob: action, commands: { test: "npm test" } });
    expect(result.notes[0]).toContain("the failed step `Set up Node` is an action (`uses: actions/setup-node@v4`)");
  });
});

describe("commands of the repository config over the workflow", () => {
  it("commands.test replaces the job's steps, keeping its env and toolchain actions", () => {
    const result = plan({ workflow: CI, failedJob: FAILED_NPM_TEST, commands: { setup: "make deps", test: "make test" } });
    expect(result.source).toBe("config");
    expect(result.steps.map((s) => [s.name, s.command, s.network, s.env])).toEqual([
      ["Setup", "make deps", true, { FORCE_COLOR: "0", SHARED: "job", NODE_LABEL: "node-20" }],
      ["Test", "make test", false, { FORCE_COLOR: "0", SHARED: "job", NODE_LABEL: "node-20" }],
    ]);
    expect(result.actions.map((a) => a.uses)).toEqual(["actions/setup-node@v4"]);
    expect(result.runnerEnv).toMatchObject({ GITHUB_SHA: GITHUB.sha });
    expect(result.exact).toBe(false);
    expect(result.notes[0]).toBe("`commands.test` of `.github/patchwright.yml` replaces the failed job's steps; the job's env and toolchains are kept.");
    expect(result.approximations).toContainEqual({ step: "Set up Node", how: "provided by the toolchain layer" });
  });

  it("commands.setup alone replaces the job's setup steps and keeps the rest", () => {
    const result = plan({ workflow: CI, failedJob: FAILED_NPM_TEST, commands: { setup: "make deps" } });
    expect(result.source).toBe("workflow");
    expect(result.steps.map((s) => [s.name, s.command, s.network])).toEqual([
      ["Setup", "make deps", true],
      ["Build", "npm run build -- --target=node20", false],
      ["Run npm test", "npm test", false],
    ]);
    expect(result.exact).toBe(false);
    expect(result.notes).toContain("`commands.setup` of `.github/patchwright.yml` runs instead of `Install`.");
  });

  it("without commands the workflow is followed as it is", () => {
    expect(plan({ workflow: CI, failedJob: FAILED_NPM_TEST, commands: {} }).steps.map((s) => s.name)).toEqual(["Install", "Build", "Run npm test"]);
  });
});

describe("fallbacks", () => {
  const manifest = { scripts: { test: "vitest" }, devDependencies: { vitest: "^4" } };

  it("uses commands from the repository config first", () => {
    expect(planFromConfig({ setup: "make deps", test: "make test" }, null)).toMatchObject({
      source: "config",
      exact: false,
      steps: [
        { name: "Setup", command: "make deps", shell: "bash {0}", cwd: ".", env: {}, network: true },
        { name: "Test", command: "make test", network: false },
      ],
    });
    // Without commands.setup, package.json's dependencies are installed.
    expect(planFromConfig({ test: "make test" }, { manifest, hasLockfile: true })?.steps[0]?.command).toBe("npm ci --no-audit --no-fund");
    expect(planFromConfig({ setup: "make deps" }, { manifest, hasLockfile: true })).toBeNull();
  });

  it("then the test script of package.json, installed only when there are dependencies", () => {
    expect(planFromPackageJson({ manifest, hasLockfile: true })?.steps.map((s) => s.command)).toEqual(["npm ci --no-audit --no-fund", "npm test"]);
    expect(planFromPackageJson({ manifest, hasLockfile: false })?.steps.map((s) => s.command)).toEqual(["npm install --no-audit --no-fund", "npm test"]);
    expect(planFromPackageJson({ manifest: { scripts: { test: "node --test" } }, hasLockfile: false })?.steps.map((s) => s.command)).toEqual(["npm test"]);
    expect(planFromPackageJson({ manifest: { scripts: { build: "tsc" } }, hasLockfile: false })).toBeNull();
    expect(planFromPackageJson({ manifest: "not an object", hasLockfile: false })).toBeNull();
    expect(planFromPackageJson(null)).toBeNull();
  });

  it("says what to configure when there is nothing to run", () => {
    expect(planReproduction({ toolchain: NODE_20, github: GITHUB, packageFacts: { manifest: {}, hasLockfile: false } })).toEqual({
      ok: false,
      message: "No test command: set `commands.test` in .github/patchwright.yml, or add a `test` script to package.json.",
      notes: [],
    });
  });

  it("reads package facts from a checkout", async () => {
    const dir = await tempDir();
    expect(await readPackageFacts(dir)).toEqual({ manifest: null, hasLockfile: false });
    await writeFile(path.join(dir, "package.json"), JSON.stringify(manifest));
    await writeFile(path.join(dir, "package-lock.json"), "{}");
    expect(await readPackageFacts(dir)).toEqual({ manifest, hasLockfile: true });
    const broken = await tempDir();
    await mkdir(path.join(broken, "package.json"));
    expect(await readPackageFacts(broken)).toEqual({ manifest: null, hasLockfile: false });
  });
});
