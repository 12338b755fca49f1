import type { RepoConfig } from "../config/repo-config.ts";
import type { Report } from "../github/report.ts";
import type { Octokit } from "../github/types.ts";
import type { PipelineDeps, Workspace } from "../pipeline/pipeline-deps.ts";
import type { AdvisoryTrigger, JobRecord } from "../queue/job.ts";
import type { JobResult } from "../queue/start-worker.ts";
import type { CommandResult } from "../workspace/types.ts";
import type { Ecosystem } from "./ecosystems/types.ts";
import type { BumpPrBodyInput } from "./render-bump-pr-body.ts";

/** What every stage of one bump job shares (built by `runBumpJob`). */
export interface BumpContext {
  job: JobRecord;
  deps: PipelineDeps;
  octokit: Octokit;
  advisory: AdvisoryTrigger;
  ecosystem: Extract<Ecosystem, { supported: true }>;
  config: RepoConfig;
  signal: AbortSignal;
  startedAt: number;
  record(kind: string, data: unknown): void;
  report(r: Report): Promise<void>;
  /** Where reports go: the check run on the commit the job works on. */
  at: { sha?: string; checkId: number | null };
  /** Workspaces to dispose when the job ends. */
  workspaces: Workspace[];
  /** Stages 3 and 4 of the pipeline (reproduce; fix and verify when red), passed in. */
  testAndFix(args: TestAndFixArgs): Promise<Tested>;
}

export interface TestAndFixArgs {
  workspace: Workspace;
  /** The commit the workspace is at (the agent's diff is taken against it). */
  sha: string;
  branch: string;
  token: string;
  /** The upgrade's files: protected from the agent. */
  files: readonly string[];
  /** Model tokens the job may spend. */
  tokens: number;
  /** Most parallel fixers. */
  candidates: number;
  /** Our guidance for the agent, ahead of the repository's. */
  instructions: string;
  changelog(): Promise<string>;
  evidence(changelog: string): string;
}

export type Tested =
  /** The job ended here (reported); its result. */
  | { kind: "stopped"; result: JobResult }
  /** The tests pass as they are. */
  | { kind: "green"; command: string; before: CommandResult }
  /** They failed, and the agent's verified change, committed in `workspace`, makes them pass. */
  | { kind: "fixed"; command: string; before: CommandResult; workspace: Workspace; fix: NonNullable<BumpPrBodyInput["fix"]> };
