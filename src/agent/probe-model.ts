/**
 * The start-up probe: one tiny tool-calling request with the resolved
 * profile. A model without tool support, a server without a tool parser that
 * also ignores text calls, an unknown model, a responses-only model forced
 * onto chat or a wrong Azure URL becomes one clear start-up error instead of
 * one failed job per webhook. On success it says what works and what was adapted.
 */
import { PatchwrightError } from "../errors.ts";
import type { ChatModel } from "./chat-model.ts";
import type { ModelAdaptations } from "./model-adaptations.ts";
import { ModelCallError } from "./model-errors.ts";
import { describeProfile } from "./model-profile.ts";
import { parseTextToolCalls } from "./text-tool-calls.ts";

/** The probe's one tool; the scripted test model answers it by itself. */
export const PROBE_TOOL = "patchwright_probe";

export interface ProbeReport {
  readonly toolCalls: "native" | "text";
  /** Lines for the log: the profile, and each adaptation. */
  readonly lines: readonly string[];
}

export async function probeModel(args: { model: ChatModel; modelName: string; adaptations: ModelAdaptations; signal?: AbortSignal }): Promise<ProbeReport> {
  const tools = [{ name: PROBE_TOOL, description: "Report that tool calling works.", parameters: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] } }];
  let reply;
  try {
    reply = await args.model.complete({
      model: args.modelName,
      messages: [
        { role: "system", content: `You are a connectivity check. Call the tool ${PROBE_TOOL} with {"ok": true}. Do nothing else.` },
        { role: "user", content: `Call ${PROBE_TOOL} now.` },
      ],
      tools,
      ...(args.signal ? { signal: args.signal } : {}),
    });
  } catch (error) {
    const detail = error instanceof ModelCallError ? `${error.message}` : error instanceof Error ? error.message : String(error);
    throw new PatchwrightError("model_api", `The model ${args.modelName} failed the start-up check (one tiny tool-calling request): ${detail}`, { cause: error, retryable: false });
  }
  const native = reply.message.toolCalls.some((c) => c.name === PROBE_TOOL);
  const text = !native && parseTextToolCalls(reply.message.content, [PROBE_TOOL]).length > 0;
  if (!native && !text) {
    const said = (reply.message.content ?? "").replace(/\s+/g, " ").slice(0, 200);
    throw new PatchwrightError(
      "model_api",
      `The model ${args.modelName} answered the start-up check without calling a tool${said ? ` ("${said}")` : ""}. Patchwright needs tool calling: choose a model that supports tools, or start the server with its tool parser (vLLM: --enable-auto-tool-choice --tool-call-parser <name>). PATCHWRIGHT_MODEL_PROBE=0 skips this check.`,
      { retryable: false },
    );
  }
  // Best effort: a server without a `/models` list keeps the profile's window.
  await args.model.discoverContextWindow?.().catch(() => undefined);
  const profile = args.model.profile;
  return {
    toolCalls: native ? "native" : "text",
    lines: [
      ...(profile ? [`model profile: ${describeProfile(profile)}`] : []),
      `tool calling works (${native ? "native function tools" : "calls written as text"})`,
      ...args.adaptations.notes.map((note) => `adapted: ${note}`),
    ],
  };
}
