import { randomInt } from "node:crypto";

const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/**
 * A tool-call id for a call that came without one (or with an empty one):
 * 9 alphanumeric characters, the strictest format a provider demands
 * (Mistral: "must be a-z, A-Z, 0-9, with a length of 9"; vLLM's
 * `MistralToolCall.generate_random_id`), and valid everywhere else.
 */
export function newToolCallId(): string {
  let id = "";
  for (let i = 0; i < 9; i++) id += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return id;
}

/** The id to use: the provider's own, unless it is missing, empty or already taken in this reply. */
export function toolCallIdOf(id: string | null | undefined, taken: Set<string>): string {
  const usable = typeof id === "string" && id.trim() !== "" && !taken.has(id) ? id : newToolCallId();
  taken.add(usable);
  return usable;
}
