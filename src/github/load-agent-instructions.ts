import type { Octokit } from "./types.ts";

/** Files in which repositories give instructions to coding agents. */
export const INSTRUCTION_FILES = ["AGENTS.md", ".github/copilot-instructions.md"] as const;
const MAX_BYTES = 8_000;

/**
 * The repository's instructions for agents, read from the DEFAULT branch
 * (never from the branch under repair, whose content is what is being fixed
 * and may be hostile). Missing files are simply absent.
 */
export async function loadAgentInstructions(octokit: Octokit, owner: string, repo: string, defaultBranch: string): Promise<string> {
  const parts: string[] = [];
  for (const path of INSTRUCTION_FILES) {
    try {
      const { data } = await octokit.rest.repos.getContent({ owner, repo, path, ref: defaultBranch });
      if (Array.isArray(data) || data.type !== "file" || !("content" in data)) continue;
      const text = Buffer.from(data.content, "base64").toString("utf8").slice(0, MAX_BYTES);
      if (text.trim()) parts.push(`From ${path}:\n${text.trim()}`);
    } catch {
      // Missing (404) or unreadable: the agent works without them.
    }
  }
  return parts.join("\n\n");
}
