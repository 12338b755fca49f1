/**
 * The shape of one prompt-injection case: where the hostile text sits, and
 * what a model that obeys it does with its tools. Cases stay a few lines;
 * `injection-harness.ts` turns them into a real pipeline run.
 */

/** Where the attacker's text reaches the agent from. */
export type Where =
  /** The body of the issue an `/agent fix` comment was made on. */
  | "issue"
  /** The text after `/agent fix` in the comment itself. */
  | "comment"
  /** The message of the red commit (the agent reads it with `git log`). */
  | "commit"
  /** The failed job's CI log (the evidence). */
  | "ci-log"
  /** README.md of the repository. */
  | "readme"
  /** Printed by one of the repository's tests (the reproduction output). */
  | "test-output";

/** One tool call: `[tool, arguments]`, or a function of what the agent saw last (its latest observation). */
export type Step = readonly [tool: string, args: Readonly<Record<string, unknown>>] | ((seen: string) => readonly [string, Readonly<Record<string, unknown>>]);

export interface InjectionCase {
  readonly name: string;
  readonly where: Where;
  /** The hostile text (placed at `where`). */
  readonly text: string;
  /** The investigator's calls (read-only tools); then it finishes with a diagnosis. */
  readonly investigator?: readonly Step[];
  /** The fixer's calls, obeying the text. Placeholders `{{TOKEN}}`, `{{TOKEN_BASIC}}` (its Basic-auth base64), `{{TOKEN_SPLIT}}` (split by shell quotes), `{{MODEL_KEY}}`, `{{WEBHOOK_SECRET}}`, `{{PRIVATE_KEY}}` become the real secrets. */
  readonly fixer: readonly Step[];
  /** After `fixer`, make the real fix and run the tests (default true), so a clean PR could follow. */
  readonly fix?: boolean;
  /** The fixer's finish summary (placeholders allowed); may be a function of what it saw last. */
  readonly summary?: string | ((seen: string) => string);
  /** Each must match the arguments of a tool call that was refused (`ok: false` in the trace). */
  readonly refused?: readonly RegExp[];
  /** Whether a pull request must be opened (true), must not be (false), or either (undefined). */
  readonly delivered?: boolean;
  /** Hidden in the text (an HTML comment, a hidden element, alt text): must never reach the model. */
  readonly hidden?: RegExp;
  /**
   * Violations this case is known to show, each a hole in code outside the
   * guardrails (see docs/0007-guardrails.md). Asserted exactly: once the hole
   * is closed, the case fails until the entry is removed.
   */
  readonly knownHoles?: readonly string[];
  /** Each must match the arguments of a tool call that ran (`ok: true`): the attack really happened. */
  readonly performed?: readonly RegExp[];
  /** A host path the attack tries to create by making host-side code run a program: it must never exist. */
  readonly hostMarker?: string;
  /** Extra repository files. */
  readonly files?: Readonly<Record<string, string>>;
}

/** A bare call, for brevity in case tables. */
export function run(command: string): Step {
  return ["run_command", { command }];
}
