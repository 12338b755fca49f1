import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RED_CALC_FILES } from "../support/calc-fixture.ts";
import { git } from "../support/fixture-repo.ts";
import { conversationScript, startScriptedModel, toolCall, type ScriptedModel } from "../support/scripted-model.ts";
import { createWorkingRepo, runPatchwright, tempDir } from "./helpers.ts";

/**
 * `patchwright fix` as a user runs it: the command as a process, in a
 * repository on disk, the real sandbox and agent, the scripted model.
 */

let root: string;
let model: ScriptedModel;

const fixer = [
  toolCall("read_file", { path: "src/add.js" }),
  toolCall("edit_file", { path: "src/add.js", old_string: "a - b", new_string: "a + b" }),
  toolCall("run_command", { command: "npm test" }),
  toolCall("finish", { summary: "add() subtracted its arguments; it now adds them." }),
];
const giveUp = [toolCall("finish", { summary: "I could not find the problem." })];

beforeAll(async () => {
  root = await tempDir("pw-cli-");
  model = await startScriptedModel(
    conversationScript((c) => {
      if (c.role === "investigator") return toolCall("finish", { summary: "Root cause: add() subtracts.\nFiles: src/add.js\nConfidence: high\nFix idea: a + b" });
      return (c.repository.endsWith("/stuck") ? giveUp : fixer)[c.turn];
    }),
  );
});

afterAll(async () => {
  await model?.close();
  await rm(root, { recursive: true, force: true });
});

const env = () => ({ HOME: root, OPENAI_BASE_URL: model.baseURL, OPENAI_API_KEY: "sk-test-cli-0123456789", PATCHWRIGHT_MODEL: "scripted", PATCHWRIGHT_DATA_DIR: path.join(root, "data") });

describe("patchwright fix", () => {
  it("fixes a red repository onto a new branch and leaves a dirty working tree untouched", async () => {
    const { dir, sha } = await createWorkingRepo(root, "calc", RED_CALC_FILES);
    // Uncommitted work of the user: a modified tracked file, a staged file and an untracked one.
    await writeFile(path.join(dir, "test/add.test.js"), `${RED_CALC_FILES["test/add.test.js"]}// my work in progress\n`);
    await writeFile(path.join(dir, "staged.txt"), "staged\n");
    await git(["add", "staged.txt"], dir);
    await writeFile(path.join(dir, "notes.txt"), "untracked\n");
    const before = { status: await git(["status", "--porcelain"], dir), index: await readFile(path.join(dir, ".git/index")), head: await git(["rev-parse", "HEAD"], dir) };

    const run = await runPatchwright(["fix", "--candidates", "1"], { cwd: dir, env: env() });
    expect(run.stderr).toContain("Reproduction: red");
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const branch = `patchwright/fix-${sha.slice(0, 7)}`;
    expect(run.stdout).toContain(`Fixed: the fix is on branch ${branch}`);
    expect(await git(["show", `${branch}:src/add.js`], dir)).toBe("export const add = (a, b) => a + b;");
    expect(await git(["rev-parse", `${branch}~1`], dir)).toBe(sha);

    expect(await git(["status", "--porcelain"], dir)).toBe(before.status);
    expect(await readFile(path.join(dir, ".git/index"))).toEqual(before.index);
    expect(await git(["rev-parse", "HEAD"], dir)).toBe(before.head);
    expect(await git(["symbolic-ref", "HEAD"], dir)).toBe("refs/heads/main");
    expect(await readFile(path.join(dir, "src/add.js"), "utf8")).toBe(RED_CALC_FILES["src/add.js"]);
    expect(await readFile(path.join(dir, "notes.txt"), "utf8")).toBe("untracked\n");

    const trace = /Trace: (\S+)/.exec(run.stdout)?.[1];
    expect(trace).toBeDefined();
    expect(await readFile(trace!, "utf8")).toContain("edit_file");

    // Run again: the branch is there, and is never moved; this job's fix gets its own.
    const first = await git(["rev-parse", branch], dir);
    const again = await runPatchwright(["fix", "--candidates", "1", "--json"], { cwd: dir, env: env() });
    expect(again.exitCode, again.stderr).toBe(0);
    const { jobId } = JSON.parse(again.stdout) as { jobId: number };
    expect(JSON.parse(again.stdout)).toMatchObject({ fixed: true, branch: `${branch}-${jobId}` });
    expect(await git(["rev-parse", branch], dir)).toBe(first);
    expect(await git(["status", "--porcelain"], dir)).toBe(before.status);
  });

  it("writes the verified diff with --patch, which git apply takes, and makes no branch; replay shows the job", async () => {
    const { dir, sha } = await createWorkingRepo(root, "calc-patch", RED_CALC_FILES);
    const run = await runPatchwright(["fix", "--candidates", "1", "--patch", "../out/fix.diff", "--json"], { cwd: dir, env: env() });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { fixed: boolean; patchFile: string; branch: string | null; jobId: number; traceFile: string; tokens: number };
    expect(result).toMatchObject({ fixed: true, branch: null, patchFile: path.join(root, "out/fix.diff") });
    expect(result.tokens).toBeGreaterThan(0);
    expect(await git(["branch", "--list", "patchwright/*"], dir)).toBe("");
    await git(["apply", "--check", result.patchFile], dir);
    await git(["apply", result.patchFile], dir);
    expect(await readFile(path.join(dir, "src/add.js"), "utf8")).toBe("export const add = (a, b) => a + b;\n");
    expect(await git(["rev-parse", "HEAD"], dir)).toBe(sha);

    const replay = await runPatchwright(["replay", String(result.jobId)], { cwd: root, env: env() });
    expect(replay.exitCode, replay.stderr).toBe(0);
    expect(replay.stdout).toContain(`Job ${result.jobId} · fix-ci · local/calc-patch · succeeded`);
    expect(replay.stdout).toContain(`at ${sha.slice(0, 7)}`);
    expect(replay.stdout).toMatch(/reproduce\s+red/);
    expect(replay.stdout).toContain("-export const add = (a, b) => a - b;");
    expect(replay.stdout).toContain("+export const add = (a, b) => a + b;");
    expect(replay.stdout).toMatch(/fixer1 t\d+ ✓ edit_file/);
    expect((await readFile(result.traceFile, "utf8")).trimEnd()).toBe(replay.stdout.trimEnd());
  });

  it("exits 1 when no candidate passes, with the diagnosis, and makes no branch", async () => {
    const { dir } = await createWorkingRepo(root, "stuck", RED_CALC_FILES);
    const run = await runPatchwright(["fix", "--candidates", "1", "--instructions", "look at add()"], { cwd: dir, env: env() });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain("Not fixed: No verified fix");
    expect(run.stdout).toContain("Root cause: add() subtracts.");
    expect(await git(["branch", "--list", "patchwright/*"], dir)).toBe("");
  });

  it("feeds --log to the evidence distiller", async () => {
    const { dir } = await createWorkingRepo(root, "calc-log", RED_CALC_FILES);
    const seen = model.requests.length;
    const log = [...Array.from({ length: 3000 }, (_, i) => `npm noise ${i}`), "not ok 1 - adds", "  AssertionError: -1 !== 5 FROM-THE-CI-LOG", "# fail 1"].join("\n");
    const run = await runPatchwright(["fix", "--candidates", "1", "--log", "-"], { cwd: dir, env: env(), input: log });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const prompts = model.requests.slice(seen).map((r) => JSON.stringify(r.messages[1]?.content ?? ""));
    expect(prompts.some((p) => p.includes("FROM-THE-CI-LOG"))).toBe(true);
    expect(prompts.some((p) => p.includes("npm noise 10\\n"))).toBe(false);
  });
});

describe("patchwright fix: usage and setup errors (exit 2)", () => {
  it.each([
    [["fix", "--candidates", "9"], /--candidates must be a whole number from 1 to 5, got "9"/],
    [["fix", "--frobnicate"], /patchwright fix: Unknown option '--frobnicate'/],
    [["fix", "a", "b"], /expected one DIR, got 2/],
    [["fix", "--command", ""], /--command must not be empty/],
  ])("rejects %j", async (argv, message) => {
    const run = await runPatchwright(argv, { cwd: root, env: env() });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('Run "patchwright fix --help" for usage.');
  });

  it("names the variable when no model is configured", async () => {
    const { dir } = await createWorkingRepo(root, "no-model", RED_CALC_FILES);
    const run = await runPatchwright(["fix"], { cwd: dir, env: { HOME: root, PATCHWRIGHT_DATA_DIR: path.join(root, "data") } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/No model configured: set OPENAI_API_KEY .* or OPENAI_BASE_URL/);
  });

  it("says so outside a git repository", async () => {
    const run = await runPatchwright(["fix", root], { cwd: root, env: env() });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("is not inside a git repository");
  });

  it("has --help on every command", async () => {
    for (const command of ["fix", "doctor", "replay", "distill"]) {
      const run = await runPatchwright([command, "--help"], { cwd: root, env: {} });
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain(`Usage: patchwright ${command}`);
    }
  });
});
