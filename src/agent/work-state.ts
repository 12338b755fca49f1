/**
 * The small structured record of what a run has done so far, kept by the loop
 * (not by the model) and restated every turn: files it changed, commands it
 * ran with their exit codes, and whether the test command fails now. A long
 * run, or one whose history was compacted, does not lose track of its work.
 */
import type { ChatToolCall } from "./chat-model.ts";

export interface WorkState {
  readonly filesChanged: Set<string>;
  readonly commands: Array<{ command: string; exitCode: number | null }>;
  /** The test command's last result: null until it is run. */
  testResult: { exitCode: number | null; turn: number } | null;
}

export function createWorkState(): WorkState {
  return { filesChanged: new Set(), commands: [], testResult: null };
}

/** Notes one tool call and its outcome. */
export function noteToolCall(state: WorkState, call: ChatToolCall, outcome: { ok: boolean; output: string }, turn: number, testCommand?: string): void {
  const args = parseArgs(call.arguments);
  if ((call.name === "edit_file" || call.name === "write_file") && outcome.ok && typeof args["path"] === "string") state.filesChanged.add(args["path"]);
  if (call.name === "run_command" && typeof args["command"] === "string") {
    const exit = /exit code (-?\d+)/.exec(outcome.output)?.[1];
    const exitCode = exit !== undefined ? Number(exit) : null;
    state.commands.push({ command: args["command"], exitCode });
    if (state.commands.length > 12) state.commands.shift();
    if (testCommand !== undefined && normalize(args["command"]) === normalize(testCommand)) state.testResult = { exitCode, turn };
  }
}

/** The record as text for the model; "" while nothing has happened. */
export function renderWorkState(state: WorkState, testCommand?: string): string {
  if (state.filesChanged.size === 0 && state.commands.length === 0) return "";
  const lines = ["[Progress so far, kept by Patchwright]"];
  lines.push(`- Files you changed: ${state.filesChanged.size > 0 ? [...state.filesChanged].join(", ") : "none yet"}`);
  if (state.commands.length > 0) lines.push(`- Commands you ran (latest last): ${state.commands.map((c) => `\`${clip(c.command)}\` → exit ${c.exitCode ?? "?"}`).join("; ")}`);
  if (testCommand !== undefined) {
    const t = state.testResult;
    lines.push(`- The test command \`${clip(testCommand)}\`: ${t === null ? "not run yet" : t.exitCode === 0 ? `passes (turn ${t.turn})` : `fails now (exit ${t.exitCode ?? "?"}, turn ${t.turn})`}`);
  }
  return lines.join("\n");
}

function parseArgs(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function normalize(command: string): string {
  return command.trim().replace(/\s+/g, " ");
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}
