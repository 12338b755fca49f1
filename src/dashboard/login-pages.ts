import type { IncomingMessage, ServerResponse } from "node:http";
import type { Redactor } from "../security/redact.ts";
import { layout } from "./layout.ts";
import { issueSession, requestSite, sameSecret, sessionCookie } from "./operator-auth.ts";
import { readFormBody } from "./read-form-body.ts";
import { renderLoginPage } from "./render-login-page.ts";
import { redirect, sendPage, sendText } from "./send-response.ts";

export const LOGIN_PATH = "/patchwright/login";
const HOME = "/patchwright/jobs";

/** Where to go after signing in: a dashboard path only (never another site), else the jobs list. */
export function safeNext(next: string | null | undefined): string {
  return next && /^\/patchwright(?:[/?][\w\-.~%/?=&+]*)?$/.test(next) && !next.includes("//") && !next.includes("..") && !next.startsWith(LOGIN_PATH) ? next : HOME;
}

/** The login form's address, coming back to `next` after. */
export function loginUrl(next: string): string {
  return `${LOGIN_PATH}?next=${encodeURIComponent(safeNext(next))}`;
}

export function showLogin(res: ServerResponse, query: URLSearchParams, redact: Redactor): void {
  sendPage(res, 200, layout("Sign in", renderLoginPage({ next: safeNext(query.get("next")) })), redact);
}

/**
 * `POST /patchwright/login`: a right token gets a session cookie and goes on
 * to `next`; a wrong one gets the form again, with 401. Refused from another
 * site, so no page elsewhere can sign a browser in.
 */
export async function submitLogin(req: IncomingMessage, res: ServerResponse, args: { token: string; now: number; redact: Redactor }): Promise<void> {
  const { token } = args;
  if (requestSite(req) === "cross-site") return sendText(res, 403, "Refused: the sign-in form must be posted from this dashboard.");
  const form = await readFormBody(req);
  if (!form) return sendText(res, 413, "The form is too large.");
  const next = safeNext(form.get("next"));
  if (!sameSecret(form.get("token") ?? "", token)) {
    return sendPage(res, 401, layout("Sign in", renderLoginPage({ next, problem: "That is not the operator token." })), args.redact);
  }
  redirect(res, next, { "set-cookie": sessionCookie(req, issueSession(token, args.now)) });
}

/** `POST /patchwright/logout` (origin and CSRF already checked): the browser forgets its session. */
export function logout(req: IncomingMessage, res: ServerResponse): void {
  redirect(res, LOGIN_PATH, { "set-cookie": sessionCookie(req, "") });
}
