import type { Logger } from "pino";
import type { ModelUsage } from "../agent/fix-request.ts";
import type { ProgressState } from "../github/check-run-progress.ts";
import type { RepoGitHub } from "../github/repo-github.ts";
import type { Report } from "../github/report.ts";
import type { JobPayload, JobRecord, JobResult } from "../queue/job.ts";
import type { Workspace } from "../workspace/types.ts";
import type { Origin } from "./origins/origin.ts";
import type { PipelineDeps } from "./pipeline-deps.ts";

/** How a job ends: its result for the queue, and what to tell the requester. */
export interface Ending {
  result: JobResult;
  report?: Report;
}

/**
 * Thrown by a stage that ends the job early (not reproducible, setup failed,
 * nothing to upgrade…); the frame reports it and returns its result.
 */
export class JobEnd extends Error {
  override readonly name = "JobEnd";
  readonly ending: Ending;

  constructor(ending: Ending) {
    super(ending.result.state === "retry" ? ending.result.reason : ending.result.summary);
    this.ending = ending;
  }
}

/** Everything every stage of one job shares; built by `runJob`. */
export interface JobContext {
  readonly job: JobRecord;
  readonly payload: JobPayload;
  /** `owner/name`. */
  readonly repoFullName: string;
  readonly deps: PipelineDeps;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly startedAt: number;
  readonly github: RepoGitHub;
  readonly origin: Origin;
  /** Model spending of this job so far, all roles together. */
  readonly spent: { tokens: number; costUsd: number };
  /** Runs of this job on transient errors: the config's `max_attempts` once read. */
  maxAttempts: number;
  /** Appends to the job's ledger. */
  record(kind: string, data: unknown): void;
  /** Counts one model call: the job's spend and the repository's daily budget. */
  spend(usage: ModelUsage): void;
  /**
   * The job reached `stage` (and, in the fix and verify stages, a candidate):
   * its check run shows the stage, candidate, elapsed time and spend. Paced
   * and best effort: it never waits for GitHub and never fails the job.
   */
  progress(stage: string, candidate?: { index: number; of: number }): void;
  /**
   * Work that runs alongside the stage shown (speculative work: its result
   * is needed later). It is not shown on the check run; its time goes to the
   * ledger and the metrics as a stage of its own, overlapping the others.
   */
  alongside<T>(stage: string, work: () => Promise<T>): Promise<T>;
  /** Records a report and shows it where the job was requested. */
  report(report: Report): Promise<void>;
  /** The job's git token (host side only), minted again when it is old or about to expire. */
  token(): Promise<string>;
  /** A workspace at `sha`, disposed when the job ends. */
  openWorkspace(sha: string): Promise<Workspace>;
  /** A second workspace at `sha` with `base`'s installed files, disposed when the job ends. */
  forkWorkspace(base: Workspace, sha: string): Promise<Workspace>;
  /**
   * From now on, every workspace this job opens or forks goes through `layer`
   * (the job's toolchains and environment); a fork's layer is told its base.
   * Returns `current` through it (disposed with the job, like the others).
   */
  useLayer(layer: WorkspaceLayer, current: Workspace): Promise<Workspace>;
  /** Throws when `/agent stop` or a shutdown reached the job; the frame turns that into its ending. */
  checkpoint(): void;
  /** Ends the job here. */
  end(ending: Ending): never;
}

/** Wraps a workspace's sandbox (toolchains, the job's env) and may give it its own per-workspace state. */
export type WorkspaceLayer = (workspace: Workspace, base?: Workspace) => Promise<Workspace>;

/** A token this old is minted again (GitHub's live an hour)… */
export const TOKEN_MAX_AGE_MS = 50 * 60_000;
/** …and so is one this close to its `expires_at`. */
export const TOKEN_EXPIRY_MARGIN_MS = 5 * 60_000;

/** Until the repository's config is read (its `max_attempts` then decides). */
export const DEFAULT_MAX_ATTEMPTS = 3;

export function createJobContext(args: {
  job: JobRecord;
  deps: PipelineDeps;
  signal: AbortSignal;
  github: RepoGitHub;
  origin: Origin;
  log: Logger;
  /** Where progress goes (`github/check-run-progress.ts`); absent: nowhere. */
  showProgress?: (state: ProgressState) => void;
}): JobContext & { dispose(): Promise<void> } {
  const { job, deps, github, signal } = args;
  const { payload } = job;
  const repoFullName = `${payload.repo.owner}/${payload.repo.name}`;
  const workspaces: Workspace[] = [];
  let layer: WorkspaceLayer | undefined;
  const layered = async (workspace: Workspace, base?: Workspace): Promise<Workspace> => {
    workspaces.push(workspace);
    if (layer === undefined) return workspace;
    const wrapped = await layer(workspace, base);
    if (wrapped !== workspace) workspaces.push(wrapped);
    return wrapped;
  };
  const spent = { tokens: 0, costUsd: 0 };
  let token: { value: Promise<string>; mintedAt: number; expiresAt?: number } | undefined;
  const stale = (t: NonNullable<typeof token>) => {
    const now = deps.now();
    return now - t.mintedAt >= TOKEN_MAX_AGE_MS || (t.expiresAt !== undefined && t.expiresAt - now <= TOKEN_EXPIRY_MARGIN_MS);
  };
  const record = (kind: string, data: unknown) => deps.ledger(job.id, kind, data);
  let at: { stage: string; candidate?: string } | undefined;
  // The stage the job is in, since when: each stage's time goes to the ledger (the job's timeline) and the metrics.
  let stage: { name: string; since: number } | undefined;
  const stageTook = (name: string, since: number, extra: object = {}) => {
    const ms = deps.now() - since;
    record("stage", { stage: name, ms, ...extra });
    deps.stageEnded?.(payload.kind, name, ms / 1000);
  };
  const endStage = () => {
    if (!stage) return;
    stageTook(stage.name, stage.since);
    stage = undefined;
  };
  const show = () => {
    if (at && args.showProgress) args.showProgress({ ...at, elapsedMs: deps.now() - ctx.startedAt, tokens: spent.tokens, costUsd: spent.costUsd });
  };
  const location = async () => ({ cloneUrl: payload.repo.cloneUrl, token: await ctx.token(), installationId: payload.installationId });
  const ctx: JobContext & { dispose(): Promise<void> } = {
    job,
    payload,
    repoFullName,
    deps,
    log: args.log,
    signal,
    startedAt: deps.now(),
    github,
    origin: args.origin,
    spent,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    record,
    spend(usage) {
      const tokens = usage.promptTokens + usage.completionTokens;
      const cost = deps.usage.cost(usage);
      spent.tokens += tokens;
      spent.costUsd += cost;
      deps.usage.record(job.id, repoFullName, tokens, cost);
      show(); // the spend so far, paced
    },
    progress(name, candidate) {
      if (stage?.name !== name) {
        endStage();
        stage = { name, since: deps.now() };
      }
      at = { stage: name, ...(candidate ? { candidate: `${candidate.index} of ${candidate.of}` } : {}) };
      show();
    },
    async alongside(name, work) {
      const since = deps.now();
      try {
        return await work();
      } finally {
        stageTook(name, since, { alongside: true });
      }
    },
    async report(report) {
      record("report", report);
      await args.origin.report(report);
    },
    token: async () => {
      if (token && !stale(token)) return token.value;
      const minting: NonNullable<typeof token> = { mintedAt: deps.now(), value: Promise.resolve("") };
      minting.value = deps.mintToken(payload.installationId, payload.repo.name).then(
        (minted) => {
          if (typeof minted === "string") return minted;
          if (minted.expiresAt !== undefined && Number.isFinite(minted.expiresAt)) minting.expiresAt = minted.expiresAt;
          return minted.token;
        },
        (error: unknown) => {
          if (token === minting) token = undefined;
          throw error;
        },
      );
      token = minting;
      return minting.value;
    },
    async openWorkspace(sha) {
      return layered(await deps.openWorkspace({ ...(await location()), sha }));
    },
    async forkWorkspace(base, sha) {
      return layered(await deps.forkWorkspace(base, { ...(await location()), sha }), base);
    },
    async useLayer(next, current) {
      layer = next;
      const wrapped = await next(current);
      if (wrapped !== current) workspaces.push(wrapped);
      return wrapped;
    },
    checkpoint: () => signal.throwIfAborted(),
    end(ending) {
      throw new JobEnd(ending);
    },
    async dispose() {
      endStage();
      for (const workspace of workspaces) await workspace.dispose();
    },
  };
  return ctx;
}
