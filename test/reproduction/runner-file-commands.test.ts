import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { jobCommand } from "../../src/reproduction/job-command.ts";
import { parseKeyValueFile, parsePathFile } from "../../src/reproduction/parse-file-commands.ts";
import { planReproduction } from "../../src/reproduction/plan-reproduction.ts";
import { failingPart, runPlan, runReproduction } from "../../src/reproduction/run-reproduction.ts";
import { readCapped } from "../../src/reproduction/runner-files.ts";
import type { PlannedStep, ReproductionPlan } from "../../src/reproduction/types.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { tempDir } from "../workspace/helpers.ts";
import { GITHUB, apiJob } from "./helpers.ts";

function planned(workflow: string, steps: readonly (readonly [string, string | null])[]): ReproductionPlan {
  const outcome = planReproduction({ workflow: { path: "ci.yml", text: workflow }, failedJob: apiJob("test", steps), toolchain: {}, github: GITHUB });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.plan;
}

function step(name: string, command: string, extra: Partial<PlannedStep> = {}): PlannedStep {
  return { name, command, shell: "bash -e {0}", cwd: ".", env: {}, network: false, ...extra };
}

function planOf(steps: PlannedStep[]): ReproductionPlan {
  return { source: "workflow", description: "job `test`", steps, notes: [], exact: true, runnerEnv: {}, actions: [], approximations: [], jobEnv: {}, jobShell: "bash -e {0}", jobCwd: "." };
}

describe("parseKeyValueFile", () => {
  it.each([
    ["NAME=value\n", [["NAME", "value"]]],
    ["A=1\r\nB==2\n\nC=\n", [["A", "1"], ["B", "=2"], ["C", ""]]],
    ["TEXT<<EOF\nline 1\nline 2\nEOF\nNEXT=x\n", [["TEXT", "line 1\nline 2"], ["NEXT", "x"]]],
    ["E<<END\nEND\n", [["E", ""]]],
    ["X=a<<b\n", [["X", "a<<b"]]],
  ])("%j", (text, pairs) => {
    expect(parseKeyValueFile(text)).toEqual({ ok: true, pairs });
  });

  it.each([
    ["no equals sign\n", "Invalid format 'no equals sign'"],
    ["=value\n", "Invalid format '=value'. Name must not be empty"],
    ["T<<EOF\nnever closed\n", "Invalid value. Matching delimiter not found 'EOF'"],
  ])("refuses %j as GitHub does", (text, error) => {
    expect(parseKeyValueFile(text)).toEqual({ ok: false, error });
  });

  it("reads $GITHUB_PATH lines", () => {
    expect(parsePathFile("/a/bin\n\n  /b \r\n")).toEqual(["/a/bin", "/b"]);
  });
});

describe("file commands carried between steps (real sandbox)", () => {
  it("sets env for later steps through $GITHUB_ENV, heredocs included; refuses NODE_OPTIONS; the job's env wins", async () => {
    const plan = planned(
      `
env: { FIXED: workflow }
jobs:
  test:
    steps:
      - run: |
          echo "MODE=ci" >> "$GITHUB_ENV"
          echo "FIXED=from-file" >> "$GITHUB_ENV"
          echo "NODE_OPTIONS=--require=/tmp/evil.js" >> "$GITHUB_ENV"
          printf 'NOTES<<EOF\\nfirst line\\nsecond line\\nEOF\\n' >> "$GITHUB_ENV"
      - run: |
          test "$MODE" = ci
          test "$NOTES" = "$(printf 'first line\\nsecond line')"
          test "$FIXED" = workflow
          test -z "\${NODE_OPTIONS:-}"
          echo "mode \${{ env.MODE }}"
`,
      [["Run echo \"MODE=ci\" >> \"$GITHUB_ENV\"", "success"], ["Run test \"$MODE\" = ci", "failure"]],
    );
    expect(plan.exact).toBe(true);
    const run = await runPlan(await createSandbox({ root: await tempDir() }), plan, plan.steps);
    expect(run.steps.map((s) => s.exitCode)).toEqual([0, 0]);
    expect(run.steps[0]?.outputExcerpt).toContain("NODE_OPTIONS cannot be set through $GITHUB_ENV");
    expect(run.steps[1]?.outputExcerpt).toBe("mode ci\n");
    expect(run.state.env).toEqual({ MODE: "ci", FIXED: "from-file", NOTES: "first line\nsecond line" });
  });

  it("prepends $GITHUB_PATH directories for later steps, keeping the PATH they had", async () => {
    const root = await tempDir();
    await mkdir(path.join(root, "scripts"));
    await writeFile(path.join(root, "scripts/hello-tool"), "#!/bin/sh\necho hello from the tool\n", { mode: 0o755 });
    const plan = planOf([
      step("Add", 'echo "$GITHUB_WORKSPACE/scripts" >> "$GITHUB_PATH"', { env: { GITHUB_WORKSPACE: "/workspace" } }),
      step("Use", 'hello-tool && echo "$PATH"'),
    ]);
    const run = await runPlan(await createSandbox({ root }), plan, plan.steps);
    expect(run.steps[1]).toMatchObject({ exitCode: 0 });
    expect(run.steps[1]?.outputExcerpt).toBe("hello from the tool\n/workspace/scripts:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
    expect(run.state.pathPrepend).toEqual(["/workspace/scripts"]);
  });

  it("gives steps with an id outputs that later run: and if: read, evaluated when they run", async () => {
    const plan = planned(
      `
jobs:
  test:
    steps:
      - id: meta
        run: |
          echo "tag=v1.2" >> "$GITHUB_OUTPUT"
          echo "publish=false" >> "$GITHUB_OUTPUT"
      - name: Publish
        if: steps.meta.outputs.publish == 'true'
        run: exit 9
      - name: Tag
        if: steps.meta.outcome == 'success'
        run: echo "tag \${{ steps.meta.outputs.tag }}, publish was \${{ steps.publish.outcome }}"
        env:
          TAG: \${{ steps.meta.outputs.tag }}
      - name: Test
        run: test "$TAG" = v1.2 || exit 3
        env:
          TAG: \${{ steps.meta.outputs.tag }}
`,
      [["Test", "failure"]],
    );
    expect(plan.exact).toBe(true);
    expect(plan.steps.find((s) => s.name === "Tag")?.deferred).toMatchObject({ if: "steps.meta.outcome == 'success'" });
    const run = await runPlan(await createSandbox({ root: await tempDir() }), plan, plan.steps);
    expect(run.steps.map((s) => [s.name, s.exitCode, s.skipped ?? false])).toEqual([
      ["Run echo \"tag=v1.2\" >> \"$GITHUB_OUTPUT\"", 0, false],
      ["Publish", 0, true],
      ["Tag", 0, false],
      ["Test", 0, false],
    ]);
    expect(run.steps[2]?.outputExcerpt).toBe("tag v1.2, publish was \n");
    expect(run.steps[2]?.command).toContain("tag v1.2");
    expect(run.state.steps["meta"]).toEqual({ outputs: { tag: "v1.2", publish: "false" }, outcome: "success", conclusion: "success" });
  });

  it("carries the state before the failing part into a later runPlan of it, and into re-runs", async () => {
    const root = await tempDir();
    const plan = planOf([
      step("Install", 'echo "MODE=carried" >> "$GITHUB_ENV"; echo "$GITHUB_WORKSPACE" >> "$GITHUB_PATH"; echo x >> installs', {
        network: true,
        env: { GITHUB_WORKSPACE: "/tmp" },
      }),
      step("Test", 'test "$MODE" = carried && case ":$PATH:" in *:/tmp:*) echo ok >> tests ;; *) exit 4 ;; esac', { id: "t" }),
    ]);
    const sandbox = await createSandbox({ root });
    const outcome = await runReproduction(sandbox, plan, { reruns: 1 });
    expect(outcome.verdict).toBe("not_reproducible");
    expect(await readFile(path.join(root, "tests"), "utf8")).toBe("ok\nok\n");
    const before = outcome.run.stateBeforeFailingPart;
    expect(before).toEqual({ env: { MODE: "carried" }, pathPrepend: ["/tmp"], steps: {} });
    const again = await runPlan(sandbox, plan, failingPart(plan), before ? { initialState: before } : {});
    expect(again.red).toBe(false);
    expect(again.state.steps["t"]?.outcome).toBe("success");
    // Without the state the failing part does not see what setup left.
    expect((await runPlan(sandbox, plan, failingPart(plan))).exitCode).toBe(1);
  });

  it("fails a step whose file commands GitHub could not process", async () => {
    const plan = planOf([step("Bad", 'echo "just text" >> "$GITHUB_ENV"'), step("Next", "true")]);
    const run = await runPlan(await createSandbox({ root: await tempDir() }), plan, plan.steps);
    expect(run).toMatchObject({ red: true, failedStep: "Bad", exitCode: 1 });
    expect(run.failure?.output).toContain("Unable to process file command 'env' successfully: Invalid format 'just text'");
  });

  it("does not read a host file a step links in place of $GITHUB_ENV, nor take a huge file, nor hang on a FIFO", async () => {
    const secretDir = await tempDir();
    const secret = path.join(secretDir, "host-secret");
    await writeFile(secret, "LEAKED=host secret\n");
    const parent = await tempDir();
    const plan = planOf([
      step("Link", `ln -sf ${secret} "$GITHUB_ENV"; ln -sf /etc/shadow "$GITHUB_OUTPUT"`, { id: "link" }),
      step("Huge", 'head -c 52428800 /dev/zero | tr "\\0" a > "$GITHUB_ENV"; echo "$GITHUB_ENV"'),
      step("Fifo", 'rm "$GITHUB_PATH" && mkfifo "$GITHUB_PATH"'),
      step("After", 'test -z "${LEAKED:-}"'),
    ]);
    const run = await runPlan(await createSandbox({ root: await tempDir() }), plan, plan.steps, { runnerTempDir: parent });
    expect(run.steps.map((s) => s.exitCode)).toEqual([0, 0, 0, 0]);
    expect(run.state.env).toEqual({});
    expect(run.state.steps["link"]?.outputs).toEqual({});
    expect(run.steps[0]?.inexact).toContain("what `Link` wrote to $GITHUB_ENV was not taken: the file was replaced by a symbolic link");
    expect(run.steps[1]?.inexact).toContain(`it is larger than ${1024 * 1024} bytes`);
    expect(run.steps[1]?.outputExcerpt).toBe("/github/file_commands/env\n");
    expect(run.steps[2]?.inexact).toContain("not a regular file");
    // The run's directory is gone afterwards.
    expect(await readdir(parent)).toEqual([]);
  });

  it("reads at most the cap, and never through a link", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "small"), "A=1\n");
    await writeFile(path.join(dir, "big"), "x".repeat(11));
    const { symlink } = await import("node:fs/promises");
    await symlink(path.join(dir, "small"), path.join(dir, "link"));
    expect(await readCapped(path.join(dir, "small"), 10)).toEqual({ text: "A=1\n" });
    expect(await readCapped(path.join(dir, "big"), 10)).toEqual({ problem: "it is larger than 10 bytes" });
    expect(await readCapped(path.join(dir, "link"), 10)).toEqual({ problem: "the file was replaced by a symbolic link" });
    expect(await readCapped(path.join(dir, "missing"), 10)).toEqual({ text: "" });
  });

  it("runs a command outside the plan with the job's shell, env and carried state", async () => {
    const root = await tempDir();
    await mkdir(path.join(root, "app"));
    const plan = { ...planOf([]), jobEnv: { LABEL: "job" }, jobShell: "bash --noprofile --norc -eo pipefail {0}", jobCwd: "app" };
    const command = jobCommand(plan, 'false | true; echo "$LABEL $MODE $(pwd)" > "$GITHUB_OUTPUT"; echo "$LABEL $MODE $(pwd) ${PATH%%:*}"', {
      env: { MODE: "set" },
      pathPrepend: ["/opt/x"],
      steps: {},
    });
    const result = await (await createSandbox({ root })).run(command.command, command.options);
    // pipefail: `false | true` fails, as in the job's shell.
    expect(result.exitCode).toBe(1);
    const plain = jobCommand({ ...plan, jobShell: "bash -e {0}" }, 'echo "$LABEL $MODE $(pwd) ${PATH%%:*}"', { env: { MODE: "set" }, pathPrepend: ["/opt/x"], steps: {} });
    expect((await (await createSandbox({ root })).run(plain.command, plain.options)).output).toBe("job set /workspace/app /opt/x\n");
  });
});
