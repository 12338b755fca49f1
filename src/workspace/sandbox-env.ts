/**
 * The environment of sandboxed commands: a fixed allowlist, never the host's.
 * Host secrets (GITHUB_TOKEN, OPENAI_API_KEY, PRIVATE_KEY, ...) therefore
 * cannot reach repository code, whatever the operator's environment holds,
 * and a caller cannot pass one in either: variables named like a credential,
 * or holding a value shaped like one, are refused.
 */
import { PatchwrightError } from "../errors.ts";
import { redact } from "../security/redact.ts";

/** PATH inside the sandbox: the standard system directories only. */
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Names that carry credentials by convention: `*_TOKEN` (npm's `_authToken`
 * too), `*_KEY`, `PRIVATE_KEY`, anything with SECRET, PASSWORD or CREDENTIAL,
 * npm's `_auth`. Case-insensitive: npm reads `npm_config_*` in any case.
 */
const CREDENTIAL_NAME = /TOKEN($|_)|SECRET|PASSW(OR)?D|CREDENTIAL|(^|_)(API)?KEY($|_)|PRIVATE_?KEY|(^|_)AUTH$/i;

/** A name bash and bwrap both accept. */
const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Builds the complete environment of one command.
 * @param home writable HOME for the command (a tmp path).
 * @param extra caller-supplied variables; they win over the defaults.
 * @throws PatchwrightError `policy_violation` when `extra` holds a credential
 *   (by name or by value) or an invalid name; the message names the variable.
 */
export function buildSandboxEnv(home: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  for (const [name, value] of Object.entries(extra)) {
    const problem = !VALID_NAME.test(name)
      ? "is not a valid variable name"
      : CREDENTIAL_NAME.test(name)
        ? "is named like a credential"
        : value.includes("\0")
          ? "contains a NUL byte"
          : redact(value) !== value
            ? "holds a value shaped like a credential"
            : undefined;
    if (problem !== undefined) {
      throw new PatchwrightError(
        "policy_violation",
        `Environment variable ${name} ${problem}: nothing in the sandbox may hold a credential. ` +
          "Remove it from the command's env; the host side (git with the installation token) never needs one inside.",
      );
    }
  }
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

