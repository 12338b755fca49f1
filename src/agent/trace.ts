/**
 * The agent's trace: one entry per model call, tool call, nudge or model
 * failure, in order. `runAgent` hands each entry to `onEvent` as it happens
 * (the ledger persists them) and returns the full list. Every text field is
 * redacted and capped.
 */
export type TraceEntry =
  | {
      readonly kind: "model_call";
      readonly turn: number;
      readonly latencyMs: number;
      readonly promptTokens: number;
      readonly completionTokens: number;
      /** Of completionTokens, reasoning (when the endpoint says). */
      readonly reasoningTokens?: number;
      /** Of promptTokens, read from the prompt cache (when the endpoint says). */
      readonly cachedPromptTokens?: number;
      /** The endpoint reported no usage; the token figures are estimates. */
      readonly usageEstimated: boolean;
      /** The model's text, if any (often its reasoning), capped. */
      readonly text: string | null;
      /** Names of the tools it called, in order. */
      readonly toolCalls: readonly string[];
    }
  | {
      readonly kind: "tool_call";
      readonly turn: number;
      readonly callId: string;
      readonly name: string;
      /** The raw JSON arguments, capped. */
      readonly args: string;
      readonly ok: boolean;
      /** The start of the observation returned to the model. */
      readonly result: string;
      readonly durationMs: number;
    }
  | { readonly kind: "nudge"; readonly turn: number; readonly message: string }
  | { readonly kind: "model_error"; readonly turn: number; readonly latencyMs: number; readonly message: string };

/** Cap for text kept in trace entries (the model itself gets more). */
export const TRACE_TEXT_CHARS = 2_000;
/** Cap for tool arguments and results in trace entries. */
export const TRACE_SHORT_CHARS = 500;

/** Shortens `text` to `max` characters, saying how much was dropped. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}
