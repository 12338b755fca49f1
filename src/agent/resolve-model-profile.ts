import { detectProvider, rulesFor } from "./model-profile-table.ts";
import type { ModelApi, ModelProfile, ProfileOverrides } from "./model-profile.ts";

/** Resolves the profile of `model` behind `baseURL`. Pure. */
export function resolveModelProfile(baseURL: string, model: string, overrides: ProfileOverrides = {}): ModelProfile {
  const provider = overrides.provider ?? detectProvider(baseURL);
  const rules = rulesFor(provider, model);
  const api: ModelApi =
    rules.responsesOnly === true ? "responses" : overrides.api === "chat" || overrides.api === "responses" ? overrides.api : (rules.api ?? "chat");
  const base: ModelProfile = {
    provider,
    model,
    api,
    responsesOnly: rules.responsesOnly ?? false,
    reasoning: rules.reasoning ?? false,
    temperature: rules.temperature ?? !(rules.reasoning ?? false),
    seed: rules.seed ?? false,
    maxTokensParam: rules.maxTokensParam ?? "max_tokens",
    ...(rules.reasoningEffort !== undefined ? { reasoningEffort: rules.reasoningEffort } : {}),
    passback: api === "responses" ? ["reasoning_items"] : (rules.passback ?? []),
    contextWindow: rules.contextWindow ?? 32_768,
    toolCalls: rules.toolCalls ?? "native",
    toolGenerationRetries: rules.toolGenerationRetries ?? 1,
  };
  const effort = overrides.reasoningEffort ?? base.reasoningEffort;
  return {
    ...base,
    ...(effort !== undefined && (base.reasoning || overrides.reasoningEffort !== undefined) ? { reasoningEffort: effort } : {}),
    ...Object.fromEntries(Object.entries(overrides.profile ?? {}).filter(([, value]) => value !== undefined)),
  };
}

