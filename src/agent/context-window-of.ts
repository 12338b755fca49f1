/**
 * The context window an endpoint reports for a model in its `/models` list,
 * where it reports one. Pure: the caller fetches the list.
 *
 * Fields, as each server documents them:
 * - vLLM: `max_model_len` on each model card (the `--max-model-len` it serves with);
 * - Groq: `context_window`;
 * - OpenRouter: `context_length`, and `top_provider.context_length`;
 * - Mistral: `max_context_length`;
 * - llama.cpp's server: `meta.n_ctx_train` (the model's own; the server may run with less).
 */
const FIELDS: readonly (readonly string[])[] = [["max_model_len"], ["context_window"], ["top_provider", "context_length"], ["context_length"], ["max_context_length"], ["meta", "n_ctx_train"]];

export function contextWindowOf(list: unknown, model: string): number | undefined {
  const data = (list as { data?: unknown } | null)?.data ?? list;
  if (!Array.isArray(data)) return undefined;
  const entry = data.find((m: unknown) => {
    const id = (m as { id?: unknown } | null)?.id;
    return typeof id === "string" && (id === model || id === `models/${model}`);
  }) as Record<string, unknown> | undefined;
  if (!entry) return undefined;
  for (const path of FIELDS) {
    let value: unknown = entry;
    for (const key of path) value = (value as Record<string, unknown> | null | undefined)?.[key];
    if (typeof value === "number" && Number.isInteger(value) && value >= 1_024) return value;
  }
  return undefined;
}
