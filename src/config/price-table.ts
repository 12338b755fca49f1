import { z } from "zod";

/** US dollars per million tokens. */
export interface Price {
  input: number;
  output: number;
}

export type PriceTable = Readonly<Record<string, Price>>;

/** List prices of common hosted models; operators override or extend them with `PATCHWRIGHT_PRICES`. */
export const DEFAULT_PRICES: PriceTable = {
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "o4-mini": { input: 1.1, output: 4.4 },
};

const PriceTableSchema = z.record(z.string(), z.object({ input: z.number().min(0), output: z.number().min(0) }).strict());

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
export function costOf(prices: PriceTable, model: string, usage: { promptTokens: number; completionTokens: number }): number {
  const price = prices[model];
  if (!price) return 0;
  return (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000;
}

/** The most tokens a dollar budget can buy at worst (all at the dearer rate); Infinity when unpriced. */
export function tokensForCost(prices: PriceTable, model: string, dollars: number): number {
  const price = prices[model];
  if (!price || Math.max(price.input, price.output) === 0) return Number.POSITIVE_INFINITY;
  return Math.floor((dollars / Math.max(price.input, price.output)) * 1_000_000);
}
