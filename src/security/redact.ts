/**
 * Redaction applied to every string that leaves the process: log lines,
 * prompts, check runs, comments, PR bodies, traces.
 */

const PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, // GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_)
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bsk-[A-Za-z0-9_-]{16,}\b/g, // OpenAI-style API keys
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, // JWTs
  /\bx-access-token:[^@\s]+@/g, // credentials in URLs
];

export const REDACTED = "[REDACTED]";

/** A redactor that also knows the exact values of this process's secrets. */
export type Redactor = (text: string) => string;

export function createRedactor(secrets: readonly (string | undefined)[] = []): Redactor {
  // Short values would redact ordinary words; secrets are long.
  const exact = [...new Set(secrets.filter((s): s is string => typeof s === "string" && s.length >= 8))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => {
    let out = text;
    for (const secret of exact) out = out.split(secret).join(REDACTED);
    for (const pattern of PATTERNS) out = out.replace(pattern, REDACTED);
    return out;
  };
}

/** Redaction of the known token shapes only, for places that have no secrets list. */
export const redact: Redactor = createRedactor();
