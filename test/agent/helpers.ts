import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ToolContext } from "../../src/agent/tools/index.ts";
import { createRedactor } from "../../src/security/redact.ts";
import type { CommandResult, RunOptions, Sandbox } from "../../src/workspace/types.ts";

/** A temporary directory holding `workspace/` (the repository) and `outside/` (anything the agent must not reach). */
export interface TempWorkspace {
  readonly base: string;
  readonly root: string;
  readonly outside: string;
  cleanup(): Promise<void>;
}

export async function makeWorkspace(files: Record<string, string | Uint8Array> = {}): Promise<TempWorkspace> {
  const base = await realpath(await mkdtemp(path.join(tmpdir(), "pw-agent-")));
  const root = path.join(base, "workspace");
  const outside = path.join(base, "outside");
  await mkdir(root);
  await mkdir(outside);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
  return { base, root, outside, cleanup: () => rm(base, { recursive: true, force: true }) };
}

export interface FakeSandbox extends Sandbox {
  readonly calls: Array<{ command: string; options: RunOptions | undefined }>;
}

/** A Sandbox that runs nothing: `respond` decides each result (it may look at the workspace). */
export function fakeSandbox(
  root: string,
  respond: (command: string) => Partial<CommandResult> | Promise<Partial<CommandResult>> = () => ({}),
): FakeSandbox {
  const calls: FakeSandbox["calls"] = [];
  return {
    root,
    calls,
    async run(command, options) {
      calls.push({ command, options });
      const partial = await respond(command);
      return { command, exitCode: 0, output: "", durationMs: 5, timedOut: false, truncated: false, ...partial };
    },
  };
}

export const SECRET = "s3cr3t-value-that-must-not-leak";

/** A tool context over `root` with a redactor that knows `SECRET`. */
export function toolContext(root: string, overrides: Partial<ToolContext> = {}): ToolContext {
  return { root, sandbox: fakeSandbox(root), protectedPaths: [], redact: createRedactor([SECRET]), ...overrides };
}
