/** The abort reason of a job stopped with `/agent stop` (as opposed to a worker shutting down). */
export class JobCancelled extends Error {
  override readonly name = "JobCancelled";
  readonly by: string;

  constructor(by: string) {
    super(`stopped by @${by}`);
    this.by = by;
  }
}

/** The abort reason of a worker shutting down: the job is put back to run again. */
export const SHUTDOWN = "worker shutting down";
