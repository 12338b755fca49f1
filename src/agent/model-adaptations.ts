import type { ModelApi } from "./model-profile.ts";

/**
 * What the process learnt about its model at run time, beyond the profile: a
 * parameter the endpoint refused (dropped, or `max_tokens` renamed), tool calls
 * moved into the text, the API switched. Shared by every call of the process,
 * so each lesson costs one failed request, once.
 */
export interface ModelAdaptations {
  /** Parameters never sent again. */
  readonly dropped: Set<string>;
  /** Tools described in the prompt and calls parsed from text (a server without a tool parser). */
  textTools: boolean;
  /** The API in use after a switch (a responses-only model reached on chat). */
  api: ModelApi | undefined;
  /** The context window the endpoint reports for the model (`/models`), over the profile's table value. */
  contextWindow: number | undefined;
  /** One line per lesson, for the start-up report and the logs. */
  readonly notes: string[];
}

export function createAdaptations(): ModelAdaptations {
  return { dropped: new Set(), textTools: false, api: undefined, contextWindow: undefined, notes: [] };
}
