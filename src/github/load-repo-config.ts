import { parseRepoConfig, type ParsedConfig } from "../config/repo-config.ts";
import type { Octokit } from "./types.ts";

export const CONFIG_PATH = ".github/patchwright.yml";

/**
 * Reads `.github/patchwright.yml` from the default branch through Probot's
 * config plugin (so `_extends` and the organisation's `.github` repository
 * work) and validates it.
 */
export async function loadRepoConfig(octokit: Octokit, owner: string, repo: string): Promise<ParsedConfig> {
  try {
    const { config } = await octokit.config.get({ owner, repo, path: CONFIG_PATH });
    return parseRepoConfig(config);
  } catch (error) {
    // The plugin throws on YAML syntax errors; that is the maintainer's to fix, not ours.
    const message = error instanceof Error ? error.message : String(error);
    if ((error as { status?: number }).status !== undefined) throw error;
    return { ok: false, problems: [`the file is not valid YAML: ${message.split("\n")[0]}`] };
  }
}
