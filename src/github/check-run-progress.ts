import type { CheckRuns } from "./check-runs.ts";

/** Where a running job is, for its check run. */
export interface ProgressState {
  /** The stage's name, the check run's title ("Investigating"). */
  stage: string;
  /** Which candidate, e.g. "2 of 3"; absent outside the fix and verify stages. */
  candidate?: string | undefined;
  elapsedMs: number;
  tokens: number;
  costUsd: number;
}

export interface CheckRunProgress {
  /** The check-run reporter to give the origin: it notes the job's check run as the origin opens or updates it. */
  readonly checks: CheckRuns;
  /**
   * Shows `state` on the job's check run, if it has one yet: a new stage at
   * once, anything else (spend, another candidate) at most every
   * `minIntervalMs`. Never waits and never throws: one update is in flight at
   * a time, the newest waiting one goes next, and a failed update is logged.
   */
  show(state: ProgressState): void;
}

/**
 * Progress on the job's check run, paced for GitHub: Probot's throttling
 * already spaces writes about a second apart, so updates never queue up
 * behind each other; only the newest waiting one is sent. Completing the
 * check run ends progress first (and waits for an update in flight), so a
 * late update never turns a completed check run back to in progress.
 */
export function followCheckRun(checks: CheckRuns, options: { now(): number; minIntervalMs: number; warn(error: unknown): void }): CheckRunProgress {
  let checkRunId: number | null = null;
  let ended = false;
  let lastStage: string | undefined;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let pending: ProgressState | null = null;
  let inFlight: Promise<void> | null = null;

  const pump = () => {
    if (inFlight || ended || checkRunId === null || pending === null) return;
    const state = pending;
    pending = null;
    lastStage = state.stage;
    lastSentAt = options.now();
    inFlight = checks
      .progress(checkRunId, state.stage, renderProgress(state))
      .catch((error: unknown) => options.warn(error))
      .finally(() => {
        inFlight = null;
        pump();
      });
  };

  return {
    checks: {
      async open(args) {
        checkRunId = await checks.open(args);
        return checkRunId;
      },
      async progress(id, title, summary) {
        checkRunId = id;
        await checks.progress(id, title, summary);
      },
      async complete(args) {
        ended = true;
        pending = null;
        await inFlight;
        await checks.complete(args);
      },
    },
    show(state) {
      if (ended || checkRunId === null) return;
      const newStage = state.stage !== lastStage && state.stage !== pending?.stage;
      if (!newStage && pending === null && options.now() - lastSentAt < options.minIntervalMs) return;
      pending = state;
      pump();
    },
  };
}

/** The check run's summary while the job runs: one row of where it is and what it spent. */
export function renderProgress(state: ProgressState): string {
  return [
    "| Stage | Candidate | Elapsed | Tokens | Cost |",
    "| --- | --- | --- | --- | --- |",
    `| ${state.stage} | ${state.candidate ?? "–"} | ${elapsed(state.elapsedMs)} | ${state.tokens.toLocaleString("en-US")} | $${state.costUsd.toFixed(4)} |`,
  ].join("\n");
}

/** `42s`, `3m 05s`, `1h 02m`. */
function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}
