import { z } from "zod";

/** US dollars per million tokens, per token type. */
export interface Price {
  input: number;
  output: number;
  /** Prompt tokens read from the provider's cache; default `input`. */
  cached_input?: number | undefined;
  /** Reasoning tokens (counted in the output); default `output`. */
  reasoning?: number | undefined;
}

export type PriceTable = Readonly<Record<string, Price>>;

/** List prices of common hosted models; operators override or extend them with `PATCHWRIGHT_PRICES`. */
export const DEFAULT_PRICES: PriceTable = {
  "gpt-4.1": { input: 2, output: 8, cached_input: 0.5 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6, cached_input: 0.1 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4, cached_input: 0.025 },
  "gpt-4o": { input: 2.5, output: 10, cached_input: 1.25 },
  "gpt-4o-mini": { input: 0.15, output: 0.6, cached_input: 0.075 },
  "o4-mini": { input: 1.1, output: 4.4, cached_input: 0.275 },
  "gpt-5": { input: 1.25, output: 10, cached_input: 0.125 },
  "gpt-5-mini": { input: 0.25, output: 2, cached_input: 0.025 },
  "gpt-5-nano": { input: 0.05, output: 0.4, cached_input: 0.005 },
};

const PriceTableSchema = z.record(z.string(), z.object({ input: z.number().min(0), output: z.number().min(0), cached_input: z.number().min(0).optional(), reasoning: z.number().min(0).optional() }).strict());

/** Parses `PATCHWRIGHT_PRICES` (JSON: `{"model": {"input": 2, "output": 8}}`), merged over the defaults. */
export function parsePriceTable(json: string | undefined): PriceTable {
  if (json === undefined || json.trim() === "") return DEFAULT_PRICES;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('PATCHWRIGHT_PRICES: not JSON. Expected {"model": {"input": <USD per 1M tokens>, "output": <USD per 1M tokens>}}.');
  }
  const parsed = PriceTableSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`PATCHWRIGHT_PRICES: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return { ...DEFAULT_PRICES, ...parsed.data };
}

/** Cost in US dollars; a model missing from the table (a local model, say) costs nothing. */
export function costOf(
  prices: PriceTable,
  model: string,
  usage: { promptTokens: number; completionTokens: number; reasoningTokens?: number | undefined; cachedPromptTokens?: number | undefined },
): number {
  const price = prices[model];
  if (!price) return 0;
  const cached = Math.min(usage.cachedPromptTokens ?? 0, usage.promptTokens);
  const reasoning = Math.min(usage.reasoningTokens ?? 0, usage.completionTokens);
  return (
    ((usage.promptTokens - cached) * price.input +
      cached * (price.cached_input ?? price.input) +
      (usage.completionTokens - reasoning) * price.output +
      reasoning * (price.reasoning ?? price.output)) /
    1_000_000
  );
}

/** The most tokens a dollar budget can buy at worst (all at the dearer rate); Infinity when unpriced. */
export function tokensForCost(prices: PriceTable, model: string, dollars: number): number {
  const price = prices[model];
  if (!price || Math.max(price.input, price.output) === 0) return Number.POSITIVE_INFINITY;
  return Math.floor((dollars / Math.max(price.input, price.output)) * 1_000_000);
}
