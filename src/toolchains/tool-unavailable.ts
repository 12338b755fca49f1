/**
 * Why one tool could not be provided (no such version, the registry failed,
 * the tarball did not verify or was unsafe). Internal to the cache: provide()
 * turns it into a MissingTool and never lets it escape.
 */
export class ToolUnavailable extends Error {
  /** What a maintainer or operator can set instead. */
  readonly advice: string;

  constructor(reason: string, advice: string, options: { cause?: unknown } = {}) {
    super(reason, options);
    this.name = "ToolUnavailable";
    this.advice = advice;
  }
}

/** The repository can set its own setup commands. */
export const ADVICE_REPOSITORY = "Set commands.setup in .github/patchwright.yml to install it, or pin a published version.";
/** The worker's operator can mirror or pre-provision. */
export const ADVICE_OPERATOR =
  "The operator can pre-provision it in the toolchain cache or point PATCHWRIGHT_NPM_REGISTRY at a reachable registry mirror; or set commands.setup in .github/patchwright.yml.";
