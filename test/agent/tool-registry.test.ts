import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { AGENT_TOOLS, READ_ONLY_TOOLS, executeToolCall, toToolSpecs } from "../../src/agent/tools/index.ts";
import type { AgentTool } from "../../src/agent/tools/index.ts";
import { SECRET, makeWorkspace, toolContext } from "./helpers.ts";
import type { TempWorkspace } from "./helpers.ts";

let ws: TempWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace({ "a.txt": "hello\n" });
});
afterEach(() => ws.cleanup());

describe("executeToolCall", () => {
  it.each([
    [{ name: "read_file", arguments: '{"path": "a.txt"' }, /^Error: the arguments of read_file are not valid JSON \(.+\)\. Send one JSON object, e\.g\. \{"path": string\}\.$/],
    [{ name: "read_file", arguments: '{"path": 42}' }, /^Error: invalid arguments for read_file: path: Invalid input: expected string, received number\. Expected \{"path": string\}\.$/],
    [{ name: "read_file", arguments: '"a.txt"' }, /^Error: invalid arguments for read_file: arguments: /],
    [{ name: "edit_file", arguments: '{"path": "a.txt"}' }, /old_string: .*new_string: .*Expected \{"path": string, "old_string": string, "new_string": string\}/],
    [{ name: "delete_file", arguments: '{"path": "a.txt"}' }, /^Error: unknown tool "delete_file"\. Available tools: read_file, list_files, search, edit_file, write_file, run_command, finish\.$/],
    [{ name: "", arguments: "{}" }, /^Error: unknown tool ""/],
  ])("answers %j with an observation", async (call, message) => {
    const result = await executeToolCall(call, toolContext(ws.root));
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(message);
  });

  it("treats empty arguments as {}", async () => {
    expect(await executeToolCall({ name: "list_files", arguments: "" }, toolContext(ws.root))).toEqual({ ok: true, output: "a.txt" });
  });

  it("turns an exception inside a tool into an observation", async () => {
    const boom: AgentTool = { name: "boom", description: "", schema: z.object({}), run: () => Promise.reject(new Error("disk on fire")) };
    expect(await executeToolCall({ name: "boom", arguments: "{}" }, toolContext(ws.root), [boom])).toEqual({ ok: false, output: "Error: boom failed: disk on fire" });
  });

  it("redacts every observation", async () => {
    await writeFile(path.join(ws.root, "config.txt"), `password=${SECRET}\n`);
    const result = await executeToolCall({ name: "read_file", arguments: '{"path":"config.txt"}' }, toolContext(ws.root));
    expect(result.output).toBe("password=[REDACTED]\n");
  });

  it("only offers the tools of the toolset", async () => {
    const result = await executeToolCall({ name: "write_file", arguments: '{"path":"b.txt","content":"x"}' }, toolContext(ws.root), READ_ONLY_TOOLS);
    expect(result.output).toMatch(/^Error: unknown tool "write_file"/);
  });
});

describe("toToolSpecs", () => {
  it("describes each tool with a JSON schema from zod", () => {
    const specs = toToolSpecs(AGENT_TOOLS);
    expect(specs.map((s) => s.name)).toEqual(["read_file", "list_files", "search", "edit_file", "write_file", "run_command", "finish"]);
    const edit = specs.find((s) => s.name === "edit_file");
    expect(edit?.parameters).toMatchObject({
      type: "object",
      required: ["path", "old_string", "new_string"],
      properties: { path: { type: "string" }, old_string: { type: "string", minLength: 1 }, new_string: { type: "string" } },
    });
    expect(edit?.parameters).not.toHaveProperty("$schema");
    expect(specs.find((s) => s.name === "list_files")?.parameters).not.toHaveProperty("required");
    for (const spec of specs) expect(spec.description.length).toBeGreaterThan(20);
  });
});
