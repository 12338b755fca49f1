/**
 * The operator dashboard at `/patchwright`: the jobs (filtered, newest
 * first), each job's timeline, diagnosis, candidates, diff, trace, cost and
 * audit, and a Stop button. Server-rendered HTML, no script; see
 * `operator-auth.ts` for sign-in, sessions and CSRF.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { notFound, showJob, showJobs, stopJob } from "./job-pages.ts";
import { LOGIN_PATH, loginUrl, logout, showLogin, submitLogin } from "./login-pages.ts";
import { authenticate, bearerOf, requestSite, sessionCookie, validCsrf, type Operator } from "./operator-auth.ts";
import { readFormBody } from "./read-form-body.ts";
import { redirect, sendText } from "./send-response.ts";

export type { DashboardDeps } from "./dashboard-deps.ts";

const JOB_PATH = /^\/patchwright\/jobs\/([1-9][0-9]{0,14})$/;
const STOP_PATH = /^\/patchwright\/jobs\/([1-9][0-9]{0,14})\/stop$/;

/**
 * The dashboard's request handler: true when it answered (any path under
 * `/patchwright`), false for every other request, like `createOperationsRoutes`.
 */
export function createDashboardRoutes(deps: DashboardDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = requestPath(req.url ?? "/");
    if (url.pathname !== "/patchwright" && !url.pathname.startsWith("/patchwright/")) return false;
    handle(deps, req, res, url).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      sendText(res, 500, `The dashboard failed: ${deps.redact(error instanceof Error ? error.message : String(error))}`);
    });
    return true;
  };
}

/** The request's path and query, as sent (no host is taken from it). */
interface RequestPath {
  pathname: string;
  search: string;
  searchParams: URLSearchParams;
}

function requestPath(raw: string): RequestPath {
  const at = raw.indexOf("?");
  const search = at < 0 ? "" : raw.slice(at);
  return { pathname: at < 0 ? raw : raw.slice(0, at), search, searchParams: new URLSearchParams(search) };
}

async function handle(deps: DashboardDeps, req: IncomingMessage, res: ServerResponse, url: RequestPath): Promise<void> {
  const token = deps.operatorToken;
  if (token === undefined || token === "") return sendText(res, 404, "The dashboard is off: set PATCHWRIGHT_OPERATOR_TOKEN to turn it on.");
  const now = (deps.now ?? Date.now)();
  const method = req.method === "HEAD" ? "GET" : req.method;
  if (url.pathname === LOGIN_PATH) {
    if (method === "GET") return showLogin(res, url.searchParams, deps.redact);
    if (method === "POST") return submitLogin(req, res, { token, now, redact: deps.redact });
    return sendText(res, 405, "Use GET or POST.", { allow: "GET, POST" });
  }

  const auth = authenticate(req, token, now);
  if (!auth.ok) {
    // A browser without a session goes to the form (a stale cookie is forgotten); a wrong bearer token, or any POST, is refused.
    if (method === "GET" && bearerOf(req) === undefined) {
      return redirect(res, loginUrl(url.pathname + url.search), auth.reason === "missing" ? {} : { "set-cookie": sessionCookie(req, "") });
    }
    return sendText(res, 401, "Sign in first: send Authorization: Bearer <operator token>, or use the form at /patchwright/login.", { "www-authenticate": 'Bearer realm="patchwright"' });
  }
  const { operator } = auth;
  if (method === "GET") return get(deps, res, url, operator);
  if (method === "POST") return post(deps, req, res, url, operator);
  return sendText(res, 405, "Use GET or POST.", { allow: "GET, POST" });
}

async function get(deps: DashboardDeps, res: ServerResponse, url: RequestPath, operator: Operator): Promise<void> {
  const { pathname } = url;
  if (pathname === "/patchwright" || pathname === "/patchwright/" || pathname === "/patchwright/jobs") return showJobs(deps, res, url.searchParams, operator);
  const job = JOB_PATH.exec(pathname);
  if (job) return showJob(deps, res, Number(job[1]), url.searchParams, operator);
  return notFound(deps, res, operator, "There is no such page in the dashboard.");
}

/**
 * Every POST changes something, so it must come from the dashboard itself:
 * not from another site (by `Origin` and `Sec-Fetch-Site`), and, for a
 * browser session, with the session's CSRF token. A bearer request cannot be
 * forged by another page (browsers never add that header on their own), and
 * a script client sends neither header, so it needs no CSRF token.
 */
async function post(deps: DashboardDeps, req: IncomingMessage, res: ServerResponse, url: RequestPath, operator: Operator): Promise<void> {
  const stop = STOP_PATH.exec(url.pathname);
  if (!stop && url.pathname !== "/patchwright/logout") return notFound(deps, res, operator, "There is no such page in the dashboard.");
  const site = requestSite(req);
  const sameOrigin = operator.via === "bearer" ? site !== "cross-site" : site === "same-origin";
  if (!sameOrigin) return sendText(res, 403, "Refused: this request did not come from the dashboard's own pages.");
  const form = await readFormBody(req);
  if (!form) return sendText(res, 413, "The form is too large.");
  if (operator.via === "session" && !validCsrf(operator, form.get("csrf") ?? undefined)) {
    return sendText(res, 403, "Refused: the form's CSRF token is missing or wrong. Reload the page and try again.");
  }
  if (stop) return stopJob(deps, res, Number(stop[1]), operator);
  logout(req, res);
}
