/**
 * Installation-token authentication for one git process. The token travels
 * only in that process's environment, as an HTTP header scoped to the
 * repository's origin: never in argv (visible in `ps`), never in
 * `.git/config`, never in the remote URL, never in the sandbox.
 */
import { PatchwrightError } from "../errors.ts";
import { createRedactor, type Redactor } from "../security/redact.ts";

/** The user name GitHub expects with an installation token. */
export const TOKEN_USER = "x-access-token";

/** `Authorization` header value for the token (HTTP basic, `x-access-token:<token>`). */
export function basicAuthHeader(token: string): string {
  return `Basic ${Buffer.from(`${TOKEN_USER}:${token}`).toString("base64")}`;
}

/**
 * Environment that makes git send the token to `cloneUrl`'s origin.
 * `GIT_CONFIG_COUNT` config is invisible in argv and not persisted; scoping
 * the key to the origin (`http.<origin>/.extraHeader`) keeps the header off a
 * redirect to another host.
 */
export function gitAuthEnv(cloneUrl: string, token: string): Record<string, string> {
  const { origin } = new URL(cloneUrl);
  return {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: `http.${origin}/.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: ${basicAuthHeader(token)}`,
  };
}

/** A redactor for git output that knows the token in every form we send it. */
export function createGitRedactor(token: string): Redactor {
  return createRedactor([token, basicAuthHeader(token), Buffer.from(`${TOKEN_USER}:${token}`).toString("base64")]);
}

/**
 * The clone URL as it may be stored and shown: http(s) only, credentials removed.
 * @throws PatchwrightError `clone_failed` (not retryable) for other URLs.
 */
export function publicCloneUrl(cloneUrl: string): string {
  let url: URL;
  try {
    url = new URL(cloneUrl);
  } catch {
    throw new PatchwrightError("clone_failed", "The repository clone URL is not a valid URL; expected https://host/owner/repo.git.", {
      retryable: false,
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new PatchwrightError(
      "clone_failed",
      `Unsupported clone URL scheme ${url.protocol}; Patchwright clones over https (token authentication).`,
      { retryable: false },
    );
  }
  url.username = "";
  url.password = "";
  return url.toString();
}
