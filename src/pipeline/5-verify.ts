import type { RepoConfig } from "../config/repo-config.ts";
import { checkDiffPolicy } from "../security/check-diff-policy.ts";
import type { CommandResult } from "../workspace/types.ts";
import { runTests, type Commands } from "./3-reproduce.ts";
import type { PipelineDeps, Workspace, WorkspaceDiff } from "./pipeline-deps.ts";

export interface Verdict {
  passed: boolean;
  after: CommandResult;
  diff: WorkspaceDiff;
  problems: string[];
}

/**
 * Re-runs the test command in the sandbox after the agent finished, whatever
 * the agent claimed, and checks the diff against policy. Only a green run
 * with an allowed, non-empty diff passes.
 */
export async function verify(args: {
  deps: Pick<PipelineDeps, "diff" | "redact">;
  workspace: Workspace;
  commands: Commands;
  baseSha: string;
  config: RepoConfig;
  protectedPaths: readonly string[];
  requireRedBefore: boolean;
}): Promise<Verdict> {
  const after = await runTests(args.workspace.sandbox, args.commands);
  const diff = await args.deps.diff(args.workspace.dir, args.baseSha);
  const problems = checkDiffPolicy(diff, {
    protectedPaths: args.protectedPaths,
    maxChangedLines: args.config.max_diff_lines,
    allowDeletions: args.config.allow_deletions,
    redact: args.deps.redact,
  });
  if (after.exitCode !== 0) problems.unshift(`\`${args.commands.test}\` still fails (exit ${after.exitCode})`);
  return { passed: problems.length === 0, after, diff, problems };
}
