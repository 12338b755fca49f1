/**
 * The stages of opening and disposing of a cached workspace, timed for
 * `openWorkspace`'s `onStage` (the workspace benchmark's breakdown, a
 * worker's metrics). Timing only: a stage's failure still throws as before.
 */

/** What `openWorkspace` does, in order; `dispose` and `remove` belong to disposal. */
export type WorkspaceStage =
  /** The repository's cache directories, the job directory and its owner record. */
  | "reserve"
  /** The job's private npm cache and its view of the shared store. */
  | "npm-cache"
  /** The sandbox: its user, system paths and (once per process) the bubblewrap probe. */
  | "sandbox"
  /** Waiting for the mirror's lock. */
  | "lock"
  /** Deleting the job directories of crashed workers. */
  | "prune"
  /** The mirror's fetch of a missing commit from the repository's host. */
  | "mirror-fetch"
  /** The checkout's repository: the commit's objects from the mirror. */
  | "clone"
  /** The working tree, `origin` and HEAD. */
  | "checkout"
  /** What `dispose` waits for: the npm blobs promoted, the job directory taken off. */
  | "dispose"
  /** Deleting the job directory's files (after `dispose` returned when in the background). */
  | "remove";

/** Called once per stage with its duration in milliseconds. Must not throw. */
export type StageListener = (stage: WorkspaceStage, ms: number) => void;

/** Runs `fn`, reporting its duration as `stage` (also when it throws). */
export async function timeStage<T>(onStage: StageListener | undefined, stage: WorkspaceStage, fn: () => Promise<T>): Promise<T> {
  if (onStage === undefined) return fn();
  const started = performance.now();
  try {
    return await fn();
  } finally {
    onStage(stage, performance.now() - started);
  }
}
