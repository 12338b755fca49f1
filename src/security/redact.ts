/**
 * Redaction applied to every string that leaves the process: log lines,
 * prompts, check runs, comments, PR bodies, traces.
 */

/** Base64 of `x-access-token:` (15 bytes, so the encoding of what follows does not shift it). */
const BASIC_TOKEN_PREFIX = Buffer.from("x-access-token:").toString("base64");

/**
 * Each pattern with a literal every one of its matches contains, in lower
 * case: a text without it is not scanned with that pattern. Most log lines
 * hold no token, and the lookbehind patterns cost more than the rest together.
 */
const PATTERNS: readonly (readonly [RegExp, string])[] = [
  // A PEM private key; a block cut off before its END line (a capped log) is removed to its last base64 line.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?:[\sA-Za-z0-9+/=]|\\n)*)/g, "private key"],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, "gh"], // GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_)
  [/\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, "github_pat_"],
  [/\bsk-[A-Za-z0-9_-]{16,}\b/g, "sk-"], // OpenAI-style API keys (sk-, sk-proj-, sk-ant-)
  [/\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g, "k_"], // Stripe
  [/\bAKIA[0-9A-Z]{16}\b/g, "akia"], // AWS access key ids
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, "aiza"], // Google API keys
  [/\bxox[abeposr]-[A-Za-z0-9-]{10,}\b/g, "xox"], // Slack tokens
  [/\bhttps:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g, "hooks.slack.com"], // Slack webhooks
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/g, "glpat-"], // GitLab personal tokens
  [/\bnpm_[A-Za-z0-9]{36}\b/g, "npm_"], // npm tokens
  [/\bhf_[A-Za-z0-9]{30,}\b/g, "hf_"], // Hugging Face tokens
  [/\bpypi-AgE[A-Za-z0-9_-]{50,}/g, "pypi-"], // PyPI tokens
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, "eyj"], // JWTs
  [new RegExp(`${BASIC_TOKEN_PREFIX}[A-Za-z0-9+/]*={0,2}`, "g"), BASIC_TOKEN_PREFIX.toLowerCase()], // base64 of x-access-token:<token> (a Basic header)
  [/\bx-access-token:[^@\s]+@/g, "x-access-token:"], // credentials in URLs
  [/(?<=\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]+:)[^@/\s]+(?=@)/gi, "://"], // the password of any user:password@host URL
  [/(?<=\bAuthorization:\s*(?:Bearer|Basic|token|Token|Bot)\s+)[^\s"'`<>${}()]{8,}/gi, "authorization"], // HTTP Authorization headers
  [/(?<=\bBearer\s+)[A-Za-z0-9._~+/-]{16,}=*/g, "bearer"], // a bearer token anywhere else
  [/(?<=\baws_secret_access_key\s*[=:]\s*["']?)[A-Za-z0-9/+=]{40}\b/gi, "aws_secret_access_key"],
];

export const REDACTED = "[REDACTED]";

/** A redactor that also knows the exact values of this process's secrets. */
export type Redactor = (text: string) => string;

/**
 * A redactor for the known token shapes above and the exact `secrets` given,
 * including the forms a secret travels in: base64 (alone and as
 * `x-access-token:<secret>`), URL-encoded, JSON-escaped, and, for a multi-line
 * secret such as a private key, each of its longer lines on its own.
 */
export function createRedactor(secrets: readonly (string | undefined)[] = []): Redactor {
  const exact = [...new Set(secrets.filter((s): s is string => typeof s === "string" && s.length >= 8).flatMap(formsOf))]
    // Short values would redact ordinary words; secrets are long.
    .filter((s) => s.length >= 8)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of exact) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    const lower = out.toLowerCase();
    for (const [pattern, hint] of PATTERNS) if (lower.includes(hint)) out = out.replace(pattern, REDACTED);
    return out;
  };
}

function formsOf(secret: string): string[] {
  const forms = [
    secret,
    Buffer.from(secret).toString("base64"),
    Buffer.from(`x-access-token:${secret}`).toString("base64"),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ];
  if (secret.includes("\n")) {
    for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 20) forms.push(line.trim());
  }
  return forms;
}

/** Redaction of the known token shapes only, for places that have no secrets list. */
export const redact: Redactor = createRedactor();

/** Redacts every string inside a JSON-able value (keys included), keeping its shape: what the ledger stores. */
export function redactJson(data: unknown, redact: Redactor): unknown {
  const text = JSON.stringify(data ?? null);
  try {
    return JSON.parse(redact(text)) as unknown;
  } catch {
    // A pattern straddled JSON syntax: keep the redacted text rather than the data.
    return { redacted: redact(text) };
  }
}
