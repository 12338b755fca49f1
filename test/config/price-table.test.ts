import { describe, expect, it } from "vitest";
import { costOf, DEFAULT_PRICES, parsePriceTable, tokensForCost } from "../../src/config/price-table.ts";

describe("price table", () => {
  it("prices usage per million tokens, and a model it does not know costs nothing", () => {
    expect(costOf(DEFAULT_PRICES, "gpt-4.1", { promptTokens: 1_000_000, completionTokens: 500_000 })).toBeCloseTo(6);
    expect(costOf(DEFAULT_PRICES, "llama3:8b", { promptTokens: 1_000_000, completionTokens: 1_000_000 })).toBe(0);
  });

  it("turns a dollar budget into a worst-case token budget", () => {
    expect(tokensForCost(DEFAULT_PRICES, "gpt-4.1", 2)).toBe(250_000);
    expect(tokensForCost(DEFAULT_PRICES, "local", 2)).toBe(Number.POSITIVE_INFINITY);
  });

  it("merges PATCHWRIGHT_PRICES over the defaults and explains bad input", () => {
    expect(parsePriceTable('{"my-model": {"input": 1, "output": 3}}')["my-model"]).toEqual({ input: 1, output: 3 });
    expect(parsePriceTable(undefined)).toBe(DEFAULT_PRICES);
    expect(() => parsePriceTable("{nope")).toThrow(/not JSON/);
    expect(() => parsePriceTable('{"m": {"input": -1, "output": 1}}')).toThrow(/m\.input/);
  });
});
