/**
 * The environment of sandboxed commands: a fixed allowlist, never the host's.
 * Host secrets (GITHUB_TOKEN, OPENAI_API_KEY, PRIVATE_KEY, ...) therefore
 * cannot reach repository code, whatever the operator's environment holds.
 */

/** PATH inside the sandbox: the standard system directories only. */
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Builds the complete environment of one command.
 * @param home writable HOME for the command (a tmp path).
 * @param extra caller-supplied variables (already allowlisted by the caller); they win.
 */
export function buildSandboxEnv(home: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    PATH: SANDBOX_PATH,
    HOME: home,
    LANG: "C.UTF-8",
    // Tools behave as in CI (no prompts, no colour, no spinners).
    CI: "true",
    TERM: "dumb",
    ...extra,
  };
}
