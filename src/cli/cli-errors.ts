/** Errors that end a command with exit code 2: bad flags (`UsageError`, followed by a pointer to `--help`) or a setup to fix first (`SetupError`). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export class SetupError extends Error {
  override readonly name = "SetupError";
}

/** Exit codes of every command. */
export const EXIT = { ok: 0, notFixed: 1, usage: 2 } as const;
