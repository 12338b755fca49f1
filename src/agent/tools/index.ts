import { z } from "zod";
import type { ChatToolCall, ToolSpec } from "../chat-model.ts";
import { clip } from "../trace.ts";
import { editFileTool } from "./edit-file.ts";
import { finishTool } from "./finish.ts";
import { listFilesTool } from "./list-files.ts";
import { READ_FILE_MAX_BYTES, readFileTool } from "./read-file.ts";
import { RUN_COMMAND_MAX_OUTPUT_CHARS, runCommandTool } from "./run-command.ts";
import { searchTool } from "./search.ts";
import { fail } from "./tool-helpers.ts";
import type { AgentTool, ToolContext, ToolOutcome } from "./types.ts";
import { writeFileTool } from "./write-file.ts";

export type { AgentTool, ToolContext, ToolOutcome } from "./types.ts";
export { DEFAULT_COMMAND_TIMEOUT_MS } from "./types.ts";

/** The fixer's tools: the contract of ARCHITECTURE.md. */
export const AGENT_TOOLS: readonly AgentTool[] = [
  readFileTool,
  listFilesTool,
  searchTool,
  editFileTool,
  writeFileTool,
  runCommandTool,
  finishTool,
];

/** The investigator's tools: look around, conclude; no file changes, no commands. */
export const READ_ONLY_TOOLS: readonly AgentTool[] = [readFileTool, listFilesTool, searchTool, finishTool];

/**
 * A safety net over the tools' own caps: no observation reaching the model is
 * longer than this (a tool that forgets its cap cannot flood the context).
 */
export const MAX_OBSERVATION_CHARS = Math.max(READ_FILE_MAX_BYTES, RUN_COMMAND_MAX_OUTPUT_CHARS) + 4_000;

/** The tools as function specs for the model, with JSON schemas generated from the zod schemas. */
export function toToolSpecs(tools: readonly AgentTool[] = AGENT_TOOLS): ToolSpec[] {
  return tools.map((tool) => {
    // `$schema` is noise to the model and some OpenAI-compatible servers reject unknown keys.
    const { $schema: _ignored, ...parameters } = z.toJSONSchema(tool.schema) as Record<string, unknown>;
    return { name: tool.name, description: tool.description, parameters };
  });
}

/**
 * Runs one tool call from the model. Never throws: unknown tools, invalid
 * JSON, wrong argument types and unexpected I/O errors all become an
 * observation that tells the model what to do instead. The output is redacted.
 */
export async function executeToolCall(
  call: Pick<ChatToolCall, "name" | "arguments">,
  context: ToolContext,
  tools: readonly AgentTool[] = AGENT_TOOLS,
): Promise<ToolOutcome> {
  const outcome = await dispatch(call, context, tools);
  const output = clip(context.redact(outcome.output), MAX_OBSERVATION_CHARS);
  return { ...outcome, output };
}

async function dispatch(call: Pick<ChatToolCall, "name" | "arguments">, context: ToolContext, tools: readonly AgentTool[]): Promise<ToolOutcome> {
  const tool = tools.find((t) => t.name === call.name);
  if (tool === undefined) {
    return fail(`unknown tool "${call.name}". Available tools: ${tools.map((t) => t.name).join(", ")}.`);
  }
  let json: unknown;
  try {
    // Some models send "" for a call without arguments.
    json = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(`the arguments of ${tool.name} are not valid JSON (${reason}). Send one JSON object, e.g. ${example(tool)}.`);
  }
  const parsed = tool.schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ");
    return fail(`invalid arguments for ${tool.name}: ${problems}. Expected ${example(tool)}.`);
  }
  const signal = context.signal;
  if (signal?.aborted === true) return fail(`${tool.name} was not run: ${abortReason(signal)}.`);
  try {
    if (signal === undefined) return await tool.run(parsed.data, context);
    // Whatever a tool waits on, the call ends with the deadline.
    let onAbort = (): void => undefined;
    const aborted = new Promise<ToolOutcome>((resolve) => {
      onAbort = () => resolve(fail(`${tool.name} was cut off: ${abortReason(signal)}.`));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([tool.run(parsed.data, context), aborted]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(`${tool.name} failed: ${reason}`);
  }
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === "TimeoutError" ? "the agent's time budget ran out" : "the run was stopped";
}

/** `{"path": string, "content": string}`: the argument shape, short enough for an error message. */
function example(tool: AgentTool): string {
  const schema = z.toJSONSchema(tool.schema) as { properties?: Record<string, { type?: string }>; required?: string[] };
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(
    ([key, value]) => `"${key}"${required.has(key) ? "" : "?"}: ${value.type ?? "value"}`,
  );
  return `{${fields.join(", ")}}`;
}
