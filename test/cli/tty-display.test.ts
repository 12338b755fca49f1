import { execa } from "execa";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RED_CALC_FILES } from "../support/calc-fixture.ts";
import { conversationScript, startScriptedModel, toolCall, type ScriptStep, type ScriptedModel } from "../support/scripted-model.ts";
import { BIN, createWorkingRepo, tempDir } from "./helpers.ts";

/**
 * The live display, through a real pseudo-terminal: `patchwright fix` runs in
 * a tmux pane; while a fixer waits on the model the test reads the screen,
 * then lets it finish and reads it again.
 */

let root: string;
let model: ScriptedModel;
const socket = `pw-cli-${process.pid}`;
const tmux = (...args: string[]) => execa("tmux", ["-L", socket, ...args], { env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", TERM: "xterm-256color" }, extendEnv: false });

let reached!: () => void;
const fixerWaiting = new Promise<void>((resolve) => (reached = resolve));
let release!: () => void;
const released = new Promise<void>((resolve) => (release = resolve));
const gate: ScriptStep = async (request, index) => {
  reached();
  await released;
  return toolCall("run_command", { command: "npm test" })(request, index);
};

beforeAll(async () => {
  root = await tempDir("pw-cli-tty-");
  const fixer = [
    toolCall("edit_file", { path: "src/add.js", old_string: "a - b", new_string: "a + b" }),
    gate,
    toolCall("finish", { summary: "add() now adds." }),
  ];
  model = await startScriptedModel(conversationScript((c) => (c.role === "investigator" ? toolCall("finish", { summary: "Root cause: add() subtracts." }) : fixer[c.turn])));
});

afterAll(async () => {
  release?.();
  await tmux("kill-server").catch(() => undefined);
  await model?.close();
  await rm(root, { recursive: true, force: true });
});

const screen = async () => (await tmux("capture-pane", "-p", "-t", "fix")).stdout;

describe("the progress display on a terminal", () => {
  it("shows the stage, candidate, turns, tokens, cost and elapsed time live, then the result", async () => {
    const { dir, sha } = await createWorkingRepo(root, "calc", RED_CALC_FILES);
    const env = [`PATH=${process.env["PATH"] ?? "/usr/bin:/bin"}`, `HOME=${root}`, `OPENAI_BASE_URL=${model.baseURL}`, "PATCHWRIGHT_MODEL=scripted", `PATCHWRIGHT_DATA_DIR=${path.join(root, "data")}`, "TERM=xterm-256color"];
    const command = `env -i ${env.map((e) => `'${e}'`).join(" ")} '${BIN}' fix --candidates 1; echo "EXIT=$?"; tmux -L ${socket} wait-for -S fix-done; sleep 600`;
    await tmux("new-session", "-d", "-s", "fix", "-x", "150", "-y", "40", "-c", dir, command);

    await fixerWaiting;
    const live = await screen();
    expect(live).toContain("Reproduction: red");
    expect(live).toContain("Investigating");
    expect(live).toMatch(/^. Fixing · candidate 1 · 2 turns · [\d,]+ tokens · \$0\.0000 · 0:\d\d$/m);

    const done = tmux("wait-for", "fix-done");
    release();
    await done;
    const end = await screen();
    expect(end).toContain("Candidate 1: passed, 2 changed lines");
    expect(end).toMatch(/^Done · 4 turns · [\d,]+ tokens · \$0\.0000 · 0:\d\d$/m);
    expect(end).toContain(`Fixed: the fix is on branch patchwright/fix-${sha.slice(0, 7)}`);
    expect(end).toMatch(/Trace: \S+job-1\.txt/);
    expect(end).toContain("EXIT=0");
    // Redrawn in place: the status line is not repeated down the screen.
    expect(end.match(/ · candidate 1 · /g) ?? []).toHaveLength(0);
  });
});
