import { describe, expect, it } from "vitest";
import { createOutputCapture, truncationMarker } from "../../src/workspace/capture-output.ts";

function capture(limit: number, chunks: readonly string[]) {
  const c = createOutputCapture(limit);
  for (const chunk of chunks) c.write(Buffer.from(chunk));
  return c.finish();
}

describe("createOutputCapture", () => {
  it.each([
    { limit: 10, chunks: [], output: "", truncated: false },
    { limit: 10, chunks: ["0123456789"], output: "0123456789", truncated: false },
    { limit: 10, chunks: ["01234", "56789", "X"], output: `01234${truncationMarker(1)}6789X`, truncated: true },
    { limit: 4, chunks: ["ab", "cd", "ef", "gh", "ij"], output: `ab${truncationMarker(6)}ij`, truncated: true },
    { limit: 6, chunks: ["a".repeat(1000), "xyz"], output: `aaa${truncationMarker(997)}xyz`, truncated: true },
  ])("keeps head and tail within $limit bytes of $chunks.length chunks", ({ limit, chunks, output, truncated }) => {
    expect(capture(limit, chunks)).toMatchObject({ output, truncated });
  });

  it("keeps the true tail across many small writes", () => {
    const chunks = Array.from({ length: 10_000 }, (_, i) => `${i}\n`);
    const result = capture(100, chunks);
    expect(result.output.endsWith("9998\n9999\n")).toBe(true);
    expect(result.output.startsWith("0\n1\n2\n")).toBe(true);
    expect(result.totalBytes).toBe(chunks.join("").length);
  });
});
