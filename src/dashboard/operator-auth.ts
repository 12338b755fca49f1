/**
 * Who may use the dashboard: whoever holds the operator token
 * (`PATCHWRIGHT_OPERATOR_TOKEN`), sent as `Authorization: Bearer <token>` or
 * proved once through the login form, which sets a session cookie.
 *
 * The cookie never holds the token: it is `<issued>.<nonce>.<mac>`, the mac an
 * HMAC-SHA256 keyed with the token over the issue time and a random nonce.
 * Sessions are stateless (any process holding the token checks them), last
 * `SESSION_MS`, and all end when the token changes. A session's CSRF token is
 * another HMAC of its nonce, so it too needs no server-side state.
 *
 * Every comparison hashes both sides and compares the digests with
 * `timingSafeEqual`: equal lengths, and no timing that depends on the secret.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "patchwright_session";
/** How long a login lasts. */
export const SESSION_MS = 12 * 3_600_000;

/** How a request proved it holds the token; `csrf` is what its forms must send back. */
export type Operator = { via: "bearer"; csrf: string } | { via: "session"; csrf: string };

/** The outcome of checking a request: signed in, no credentials at all, or credentials that are wrong. */
export type AuthResult = { ok: true; operator: Operator } | { ok: false; reason: "missing" | "wrong" | "expired" };

/** Equal in constant time, whatever the lengths. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function mac(token: string, purpose: string, ...parts: string[]): string {
  return createHmac("sha256", token).update([purpose, ...parts].join("\n")).digest("base64url");
}

/** A new session cookie's value. */
export function issueSession(token: string, now: number): string {
  const issued = now.toString(36);
  const nonce = randomBytes(18).toString("base64url");
  return `${issued}.${nonce}.${mac(token, "session", issued, nonce)}`;
}

/** The CSRF token of a session (or of bearer requests, whose nonce is fixed). */
function csrfOf(token: string, nonce: string): string {
  return mac(token, "csrf", nonce);
}

/** The session's nonce when `value` is a cookie this token issued less than `SESSION_MS` ago. */
function verifySession(token: string, value: string, now: number): { nonce: string } | "wrong" | "expired" {
  const [issued, nonce, given, extra] = value.split(".");
  if (!issued || !nonce || !given || extra !== undefined) return "wrong";
  if (!sameSecret(given, mac(token, "session", issued, nonce))) return "wrong";
  const age = now - parseInt(issued, 36);
  return age >= 0 && age < SESSION_MS ? { nonce } : "expired";
}

/** The bearer token a request sends, if it sends one (another scheme, e.g. a proxy's Basic, is not ours to judge). */
export function bearerOf(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(.*)$/i.exec(req.headers.authorization ?? "");
  return match ? (match[1] ?? "").trim() : undefined;
}

/** Reads the request's credentials: a bearer token first, else the session cookie. */
export function authenticate(req: IncomingMessage, token: string, now: number): AuthResult {
  const bearer = bearerOf(req);
  if (bearer !== undefined) {
    return sameSecret(bearer, token) ? { ok: true, operator: { via: "bearer", csrf: csrfOf(token, "bearer") } } : { ok: false, reason: "wrong" };
  }
  const cookie = readCookie(req, SESSION_COOKIE);
  if (cookie === undefined) return { ok: false, reason: "missing" };
  const session = verifySession(token, cookie, now);
  if (typeof session === "string") return { ok: false, reason: session };
  return { ok: true, operator: { via: "session", csrf: csrfOf(token, session.nonce) } };
}

/** Whether a form's `csrf` field is the operator's. */
export function validCsrf(operator: Operator, given: string | undefined): boolean {
  return given !== undefined && sameSecret(given, operator.csrf);
}

/** The `Set-Cookie` value for a session (empty `value`: ends it). `Secure` when the request came over TLS, directly or through a proxy. */
export function sessionCookie(req: IncomingMessage, value: string): string {
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true || req.headers["x-forwarded-proto"] === "https";
  const age = value === "" ? 0 : Math.floor(SESSION_MS / 1000);
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/patchwright; Max-Age=${age}${tls ? "; Secure" : ""}`;
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * Where a state-changing request comes from, by what the browser says:
 * `Sec-Fetch-Site`, and `Origin` against the `Host` it was sent to (the scheme
 * is not compared: behind a TLS-terminating proxy the app sees plain HTTP).
 * `unknown` when neither is sent: not a browser, or a very old one.
 */
export function requestSite(req: IncomingMessage): "same-origin" | "cross-site" | "unknown" {
  const fetchSite = req.headers["sec-fetch-site"];
  const origin = req.headers.origin;
  if (fetchSite === undefined && origin === undefined) return "unknown";
  if (fetchSite !== undefined && fetchSite !== "same-origin") return "cross-site";
  if (origin !== undefined && hostOf(origin) !== req.headers.host) return "cross-site";
  return "same-origin";
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null; // `Origin: null` (a sandboxed frame, a redirect across sites) is never ours
  }
}
