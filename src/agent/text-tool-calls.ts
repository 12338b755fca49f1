/**
 * Tool calls written as text, for models served without a tool parser (common
 * with Ollama and Qwen coder models on vLLM or llama.cpp): `<tool_call>{…}</tool_call>`
 * (Hermes/Qwen style), or a fenced JSON object naming a known tool. Parsed only
 * as a fallback when a reply has no native tool call; the calls are then
 * validated like any other.
 */
import type { ChatToolCall } from "./chat-model.ts";
import { newToolCallId } from "./tool-call-id.ts";

const TAGGED = /<tool_call>\s*([\s\S]*?)\s*(?:<\/tool_call>|$)/g;
const FENCED = /```(?:json|tool_call|tool)?\s*\n([\s\S]*?)\n\s*```/g;

/** The calls found in `text`, in order; [] when none names a tool in `toolNames`. */
export function parseTextToolCalls(text: string | null, toolNames: readonly string[]): ChatToolCall[] {
  if (text === null || text.trim() === "") return [];
  const known = new Set(toolNames);
  const blocks = [...text.matchAll(TAGGED)].map((m) => m[1] ?? "");
  const candidates = blocks.length > 0 ? blocks : [...text.matchAll(FENCED)].map((m) => m[1] ?? "");
  if (candidates.length === 0 && /^\s*\{[\s\S]*\}\s*$/.test(text)) candidates.push(text);
  const calls: ChatToolCall[] = [];
  for (const candidate of candidates) {
    for (const object of jsonObjects(candidate)) {
      const call = asCall(object, known);
      if (call) calls.push(call);
    }
  }
  return calls;
}

/** One object, or an array of objects, from a block of JSON. */
function jsonObjects(text: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(text.trim());
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return [];
  }
}

function asCall(value: unknown, known: ReadonlySet<string>): ChatToolCall | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as { name?: unknown; arguments?: unknown; parameters?: unknown; function?: { name?: unknown; arguments?: unknown } };
  const name = record.name ?? record.function?.name;
  if (typeof name !== "string" || !known.has(name)) return undefined;
  const args = record.arguments ?? record.parameters ?? record.function?.arguments ?? {};
  return { id: newToolCallId(), name, arguments: typeof args === "string" ? args : JSON.stringify(args), origin: "text" };
}

/** The prompt section that teaches a text-only model how to call the tools. */
export function textToolInstructions(tools: ReadonlyArray<{ name: string; description: string; parameters: unknown }>): string {
  return [
    "Call a tool by writing exactly one block per call, and nothing after it:",
    '<tool_call>{"name": "<tool name>", "arguments": {<arguments as JSON>}}</tool_call>',
    "The result comes back in the next message. The tools:",
    ...tools.map((t) => `- ${t.name}: ${t.description} Arguments (JSON schema): ${JSON.stringify(t.parameters)}`),
  ].join("\n");
}
