import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PatchwrightError } from "../../src/errors.ts";
import { planReproduction } from "../../src/reproduction/plan-reproduction.ts";
import { probeToolchain } from "../../src/reproduction/probe-toolchain.ts";
import { renderReproductionMarkdown } from "../../src/reproduction/render-reproduction-markdown.ts";
import { failingPart, runPlan, runReproduction } from "../../src/reproduction/run-reproduction.ts";
import { toOneLiner, toSandboxCommand } from "../../src/reproduction/shell-command.ts";
import type { PlannedStep, ReproductionPlan } from "../../src/reproduction/types.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { tempDir } from "../workspace/helpers.ts";
import { GITHUB, apiJob } from "./helpers.ts";

function step(name: string, command: string, extra: Partial<PlannedStep> = {}): PlannedStep {
  return { name, command, shell: "bash -e {0}", cwd: ".", env: {}, network: false, ...extra };
}

function planOf(steps: PlannedStep[], extra: Partial<ReproductionPlan> = {}): ReproductionPlan {
  return {
    source: "workflow",
    description: "job `test`",
    steps,
    notes: [],
    exact: true,
    runnerEnv: {},
    actions: [],
    approximations: [],
    jobEnv: {},
    jobShell: "bash -e {0}",
    jobCwd: ".",
    ...extra,
  };
}

/** Passes on odd runs, fails on even ones, counting in a file of the workspace. */
const EVERY_OTHER_RUN = 'n=$(cat .count 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > .count; echo "run $n"; test $((n % 2)) -eq 1';

describe("toSandboxCommand", () => {
  it.each([
    ["bash {0}", "npm test", "npm test"],
    ["bash -e {0}", "npm test", "bash -e -c 'npm test'"],
    ["bash --noprofile --norc -eo pipefail {0}", "echo 'hi'", "bash --noprofile --norc -eo pipefail -c 'echo '\\''hi'\\'''"],
    ["sh -e {0}", "make", "sh -e -c make"],
    ["python {0}", "print(1)", "python -c 'print(1)'"],
    ["perl {0}", "print 1", "perl <(printf '%s\\n' 'print 1')"],
    ["pwsh -command \". '{0}'\"", "dir", "pwsh -command dir"],
  ])("%s", (shell, command, expected) => {
    expect(toSandboxCommand({ shell, command })).toBe(expected);
  });

  it("writes a whole step as one line", () => {
    expect(toOneLiner(step("t", "npm test", { cwd: "packages/app", env: { A: "1", B: "x y" } }))).toBe(
      "cd packages/app && env A=1 'B=x y' bash -e -c 'npm test'",
    );
    expect(toOneLiner(step("t", "npm test", { shell: "bash {0}" }))).toBe("npm test");
  });
});

describe("runReproduction (real sandbox)", () => {
  it("confirms red when the failed step fails", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const plan = planOf([step("Install", "echo installed > .installed", { network: true }), step("Run npm test", "echo boom >&2; exit 3")]);
    const outcome = await runReproduction(sandbox, plan);
    expect(outcome.verdict).toBe("red");
    if (outcome.verdict !== "red") return;
    expect(outcome.summary).toBe("Reproduced: `Run npm test` fails here too (exit 3).");
    expect(outcome.run).toMatchObject({ failedStep: "Run npm test", exitCode: 3, red: true });
    expect(outcome.run.steps.map((s) => [s.name, s.exitCode, s.network])).toEqual([
      ["Install", 0, true],
      ["Run npm test", 3, false],
    ]);
    expect(outcome.run.steps[1]?.outputExcerpt).toBe("boom\n");
    expect(outcome.failure.exitCode).toBe(3);
    expect(outcome.caveats).toEqual([]);
  });

  it("calls a failure before the failed step setup_failed", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const outcome = await runReproduction(sandbox, planOf([step("Build", "exit 2"), step("Run npm test", "true")]));
    expect(outcome).toMatchObject({ verdict: "setup_failed", run: { failedStep: "Build", exitCode: 2 } });
    expect(outcome.run.steps.map((s) => s.name)).toEqual(["Build"]);
    expect(outcome.summary).toContain("`Build` failed here (exit 2) although it passed in CI");
  });

  it("re-runs a passing reproduction and calls it not reproducible", async () => {
    const root = await tempDir();
    const sandbox = await createSandbox({ root });
    const plan = planOf([step("Install", "echo x >> installs", { network: true }), step("Run npm test", "echo ok >> tests")]);
    const outcome = await runReproduction(sandbox, plan);
    expect(outcome).toMatchObject({ verdict: "not_reproducible", runs: 3 });
    expect(outcome.summary).toBe("Not reproducible — likely flaky or environmental: `Run npm test` passed in all 3 runs here.");
    // Only the failing part is re-run, not the installation.
    expect(await readFile(path.join(root, "installs"), "utf8")).toBe("x\n");
    expect(await readFile(path.join(root, "tests"), "utf8")).toBe("ok\nok\nok\n");
  });

  it("calls a failure that comes and goes flaky, with the counts", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const outcome = await runReproduction(sandbox, planOf([step("Run npm test", EVERY_OTHER_RUN)]), { reruns: 3 });
    expect(outcome.verdict).toBe("flaky");
    if (outcome.verdict !== "flaky") return;
    expect([outcome.runs, outcome.failures]).toEqual([4, 2]);
    expect(outcome.summary).toBe("Flaky: `Run npm test` failed in 2 of 4 runs here.");
    expect(outcome.reruns.map((r) => r.red)).toEqual([true, false, true]);
    expect(outcome.failure.output).toContain("run 2");
  });

  it("runs a workflow plan faithfully: shells, working directory, env, runner variables", async () => {
    const root = await tempDir();
    await mkdir(path.join(root, "packages/app"), { recursive: true });
    const workflow = `
env:
  WHO: workflow
defaults:
  run:
    working-directory: packages/app
jobs:
  test:
    strategy: { matrix: { node: [20] } }
    env: { NODE_LABEL: "node-\${{ matrix.node }}" }
    steps:
      - name: Default shell has no pipefail
        run: false | true
      - name: Environment
        run: |
          test "$(pwd)" = /workspace/packages/app
          test "$NODE_LABEL" = node-20 && test "$WHO" = step && test "$GITHUB_ACTIONS" = true
          echo "x=1" >> "$GITHUB_OUTPUT"
        env: { WHO: step }
      - name: Lint
        continue-on-error: true
        run: exit 5
      - name: Tests
        shell: bash
        run: false | true
`;
    const failedJob = apiJob("test (20)", [
      ["Default shell has no pipefail", "success"],
      ["Environment", "success"],
      ["Lint", "failure"],
      ["Tests", "failure"],
    ]);
    const planned = planReproduction({ workflow: { path: "ci.yml", text: workflow }, failedJob, toolchain: {}, github: GITHUB });
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    expect(planned.plan.steps.map((s) => s.name)).toEqual(["Default shell has no pipefail", "Environment", "Lint", "Tests"]);
    const sandbox = await createSandbox({ root });
    const outcome = await runReproduction(sandbox, planned.plan);
    expect(outcome.run.steps.map((s) => [s.name, s.exitCode])).toEqual([
      ["Default shell has no pipefail", 0],
      ["Environment", 0],
      ["Lint", 5],
      ["Tests", 1],
    ]);
    expect(outcome.verdict).toBe("red");
  });

  it("never hands loader variables or credentials to the sandbox", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const script = 'test -z "${LD_PRELOAD:-}" && test -z "${GLIBC_TUNABLES:-}" && test -z "${NPM_TOKEN:-}" && echo "$KEPT"';
    const env = { LD_PRELOAD: "./evil.so", GLIBC_TUNABLES: "x", NPM_TOKEN: "literal", KEPT: "kept" };
    const plan = planOf([step("t", script, { env })], { runnerEnv: { LD_LIBRARY_PATH: "." } });
    const run = await runPlan(sandbox, plan, plan.steps);
    expect(run.steps[0]).toMatchObject({ exitCode: 0, outputExcerpt: "kept\n" });
  });

  it("probes the toolchain the sandbox provides", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const toolchain = await probeToolchain(sandbox);
    const expected = (await sandbox.run("node --version")).output.trim().replace(/^v/, "");
    expect(toolchain.node).toBe(expected);
    for (const version of Object.values(toolchain)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("stops between steps when the job is cancelled", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const controller = new AbortController();
    controller.abort();
    await expect(runPlan(sandbox, planOf([step("a", "true")]), [step("a", "true")], { signal: controller.signal })).rejects.toBeInstanceOf(PatchwrightError);
  });

  it("re-runs only what follows the last installation", () => {
    const plan = planOf([step("a", "npm ci", { network: true }), step("b", "build"), step("c", "pip install x", { network: true }), step("d", "lint"), step("e", "test")]);
    expect(failingPart(plan).map((s) => s.name)).toEqual(["d", "e"]);
    expect(failingPart(planOf([step("a", "npm ci", { network: true })])).map((s) => s.name)).toEqual(["a"]);
  });
});

describe("renderReproductionMarkdown", () => {
  it("states the fidelity: exact, or the approximations", async () => {
    const sandbox = await createSandbox({ root: await tempDir() });
    const exact = await runReproduction(sandbox, planOf([step("Run npm test", "exit 1")]));
    expect(renderReproductionMarkdown(exact)).toContain("\n\nExact: the failed job's steps ran as in CI.\n");
    const approximations = [
      { step: "Set up Node", how: "provided by the toolchain layer" },
      { step: "services", how: "services are not started (`postgres`)" },
    ];
    const approximate = await runReproduction(sandbox, planOf([step("Run npm test", "exit 1")], { exact: false, approximations }));
    expect(renderReproductionMarkdown(approximate)).toContain(
      "\n\nApproximate:\n- `Set up Node`: provided by the toolchain layer\n- `services`: services are not started (`postgres`)\n",
    );
  });

  it("renders a before/after table with commands, exit codes, durations, notes and output", async () => {
    const root = await tempDir();
    const sandbox = await createSandbox({ root });
    const plan = planOf(
      [step("Install", "echo deps", { network: true }), step("Run npm test", "echo 'FAIL a | b'; test -f fixed", { inexact: "`secrets.X` is a secret" })],
      { notes: ["CI used Node.js 20, the sandbox has 18."], exact: false, description: "job `test (20)` of `ci.yml`, up to the failed step `Run npm test`" },
    );
    const before = await runReproduction(sandbox, plan);
    const after = await runPlan(await createSandbox({ root }), plan, failingPart(plan).map((s) => ({ ...s, command: "echo fixed" })));
    const markdown = renderReproductionMarkdown(before, after);
    expect(markdown).toMatch(/^### Reproduction\nReproduced: `Run npm test` fails here too \(exit 1\)\.\n\nReproduced from job `test \(20\)` of `ci.yml`, up to the failed step `Run npm test`\.\n/);
    expect(markdown).toContain("| step | command | before | after |");
    expect(markdown).toMatch(/\| Install \| `echo deps` \| ✅ 0 · \d+\.\d s \| — \|/);
    expect(markdown).toMatch(/\| Run npm test \| `echo 'FAIL a \\\| b'; test -f fixed` \| ❌ 1 · \d+\.\d s \| ✅ 0 · \d+\.\d s \|/);
    expect(markdown).toContain("- CI used Node.js 20, the sandbox has 18.");
    expect(markdown).toContain("\n\nApproximate: some steps may not behave as in CI (see the notes below).\n");
    expect(markdown).toContain("- `Run npm test` is not exact: `secrets.X` is a secret");
    expect(markdown).toContain("<details><summary>Output before: Run npm test (exit 1)</summary>\n\n```\nFAIL a | b\n```");
    expect(markdown).toContain("<details><summary>Output after: Run npm test (exit 0)</summary>\n\n```\nfixed\n```");
  });
});
