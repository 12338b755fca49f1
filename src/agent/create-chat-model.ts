/**
 * Builds the process's one `ChatModel` from its settings: the profile of the
 * (endpoint, model) pair, the client, the API the profile chooses (Chat
 * Completions or Responses, switching once to Responses when a model turns
 * out to be served only there), and the shared retry policy.
 */
import type { AppEnv } from "../config/env.ts";
import type { ChatModel, ChatRequest, ChatResponse } from "./chat-model.ts";
import { createLlmClient } from "./create-llm-client.ts";
import { contextWindowOf } from "./context-window-of.ts";
import { createAdaptations, type ModelAdaptations } from "./model-adaptations.ts";
import { ModelCallError } from "./model-errors.ts";
import type { ModelApi, ModelProfile, ProfileOverrides } from "./model-profile.ts";
import { createOpenAiChatModel } from "./openai-chat-model.ts";
import { createOpenAiResponsesModel } from "./openai-responses-model.ts";
import { resolveModelProfile } from "./resolve-model-profile.ts";
import { withRetries, type RetryOptions } from "./retrying-model.ts";

export interface ModelSettings {
  readonly baseURL: string;
  readonly apiKey?: string | undefined;
  readonly apiVersion?: string | undefined;
  readonly model: string;
  readonly overrides?: ProfileOverrides;
  readonly retry?: RetryOptions;
}

export interface ConfiguredModel {
  readonly model: ChatModel;
  readonly profile: ModelProfile;
  /** What was learnt at run time (dropped parameters, text tool calls, API switch). */
  readonly adaptations: ModelAdaptations;
}

/** Gap between the parallel fixers' first calls in production. */
export const DEFAULT_STAGGER_MS = 1_000;

/** The settings of the validated environment's model (`config/env.ts`), as the app, the CLI and `doctor` use them. */
export function modelSettingsOf(model: AppEnv["model"], retry?: RetryOptions): ModelSettings {
  return {
    baseURL: model.baseURL ?? "https://api.openai.com/v1",
    apiKey: model.apiKey,
    apiVersion: model.apiVersion,
    model: model.name,
    overrides: { api: model.api, reasoningEffort: model.reasoningEffort, profile: model.profile },
    ...(retry ? { retry } : {}),
  };
}

export function createChatModel(settings: ModelSettings): ConfiguredModel {
  const profile = resolveModelProfile(settings.baseURL, settings.model, settings.overrides);
  // The retry policy below honours the provider's waits; the SDK's own retries would not.
  const client = createLlmClient({ baseURL: settings.baseURL, apiKey: settings.apiKey, apiVersion: settings.apiVersion, maxRetries: 0 });
  const adaptations = createAdaptations();
  const chat = createOpenAiChatModel(client, { profile, adaptations });
  const responses = createOpenAiResponsesModel(client, { profile });
  const forcedChat = settings.overrides?.api === "chat";
  const learnt = (): ModelProfile => (adaptations.contextWindow === undefined ? profile : { ...profile, contextWindow: adaptations.contextWindow });
  // An operator's PATCHWRIGHT_MODEL_PROFILE contextWindow wins over what the endpoint says.
  const windowSetByOperator = settings.overrides?.profile?.contextWindow !== undefined;
  const routed: ChatModel = {
    get profile() {
      return learnt();
    },
    async discoverContextWindow() {
      if (windowSetByOperator) return undefined;
      const listed = await client.models.list().then((page) => ({ data: page.data }), () => null);
      const window = contextWindowOf(listed, settings.model);
      if (window !== undefined && window !== profile.contextWindow) {
        adaptations.contextWindow = window;
        adaptations.notes.push(`context window ${window} tokens, as the endpoint reports (the table said ${profile.contextWindow})`);
      }
      return window;
    },
    async complete(request: ChatRequest): Promise<ChatResponse> {
      const api: ModelApi = adaptations.api ?? profile.api;
      if (api === "responses") return responses.complete(request);
      try {
        return await chat.complete(request);
      } catch (error) {
        if (!(error instanceof ModelCallError) || error.kind !== "responses_only" || forcedChat) throw error;
        adaptations.api = "responses";
        adaptations.notes.push(`switched to the Responses API: ${error.providerMessage}`);
        return responses.complete(request);
      }
    },
  };
  return { model: withRetries(routed, { staggerMs: DEFAULT_STAGGER_MS, ...settings.retry }), profile, adaptations };
}
