import { EventEmitter, once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { readBranchSha, showFile } from "./fixture-repo.ts";
import { createGitHttpHandler, type GitHttpRequest } from "./git-http-server.ts";

/**
 * A local stand-in for GitHub for the end-to-end test: the REST API under
 * `/api/v3` (as GitHub Enterprise serves it, so the app reaches it through
 * `GHE_HOST`/`GHE_PROTOCOL`) and the repositories over git's smart HTTP.
 * It records every request so the test can assert what the app did.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  authorization: string | undefined;
}

export interface FakeRepo {
  defaultBranch: string;
  /** Login → role (`admin`, `maintain`, `write`, `triage`, `read`). Others are not collaborators. */
  roles: Record<string, string>;
  /** `.github/patchwright.yml` content, if any. */
  config?: string;
  /** Workflow runs: run id → jobs with their logs. */
  runs: Record<number, { id: number; name: string; conclusion: string; steps: { name: string; number: number; conclusion: string }[]; log: string }[]>;
  issues: Record<number, { title: string; body: string }>;
  /** Open Dependabot alerts (REST shape), served by `GET /repos/{o}/{r}/dependabot/alerts`. */
  alerts?: Record<string, unknown>[];
}

export interface FakeGitHub {
  url: string;
  host: string;
  /** The installation token every access-token request returns. */
  token: string;
  repos: Map<string, FakeRepo>;
  requests: RecordedRequest[];
  gitRequests: GitHttpRequest[];
  pulls: { number: number; head: string; base: string; title: string; body: string; repo: string; draft: boolean; labels: string[] }[];
  /** Comments in threads, as they stand (edits applied). */
  comments: { id: number; repo: string; issue: number; body: string }[];
  checkRuns: Map<number, Record<string, unknown>>;
  events: EventEmitter;
  /** Resolves at the next recorded request matching the predicate (or at once for one already recorded). */
  waitFor(predicate: (r: RecordedRequest) => boolean): Promise<RecordedRequest>;
  close(): Promise<void>;
}

/**
 * Routes a bare-bones GitHub (or an incomplete fake of it) may not serve: with
 * `minimal`, they answer 404, so tests show the app copes without them.
 */
const OPTIONAL_ROUTES: readonly RegExp[] = [
  /^\/app$/,
  /^\/app\/hook\/deliveries/,
  /^\/users\//,
  /^\/repos\/[^/]+\/[^/]+\/branches\//,
  /^\/repos\/[^/]+\/[^/]+\/pulls$/, // GET: the lookup of an existing PR (POST stays)
  /^\/repos\/[^/]+\/[^/]+\/check-runs/,
  /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+\/reactions$/,
  /^\/repos\/[^/]+\/[^/]+\/contents\/(?!\.github%2Fpatchwright\.yml|\.github\/patchwright\.yml)/,
];

export async function startFakeGitHub(options: { gitRoot: string; appSlug?: string; minimal?: boolean }): Promise<FakeGitHub> {
  const token = `ghs_${"e2e".repeat(12)}`;
  const events = new EventEmitter();
  const state = {
    repos: new Map<string, FakeRepo>(),
    requests: [] as RecordedRequest[],
    gitRequests: [] as GitHttpRequest[],
    pulls: [] as FakeGitHub["pulls"],
    comments: [] as FakeGitHub["comments"],
    checkRuns: new Map<number, Record<string, unknown>>(),
  };
  const slug = options.appSlug ?? "patchwright";
  const git = createGitHttpHandler({ projectRoot: options.gitRoot, token, requests: state.gitRequests });
  let nextId = 100;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith("/api/v3/") && !url.pathname.startsWith("/_logs/")) return git(req, res);
    void readBody(req).then((raw) => {
      const body = raw.length > 0 ? (JSON.parse(raw) as unknown) : undefined;
      const record: RecordedRequest = { method: req.method ?? "GET", path: url.pathname + url.search, body, authorization: req.headers.authorization };
      state.requests.push(record);
      events.emit("request", record);
      route(record, url, res, req.headers);
    });
  });

  const json = (res: ServerResponse, status: number, data: unknown) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(data));
  };

  function route(r: RecordedRequest, url: URL, res: ServerResponse, headers: IncomingMessage["headers"]): void {
    const p = decodeURIComponent(url.pathname.replace(/^\/api\/v3/, ""));
    const optional = OPTIONAL_ROUTES.some((re) => re.test(p)) && !(r.method === "POST" && /\/pulls$/.test(p));
    if (options.minimal && optional) return json(res, 404, { message: "Not Found (minimal fake)" });
    const body = (r.body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;
    if (p.startsWith("/_logs/") || url.pathname.startsWith("/_logs/")) {
      const [, , full, jobId] = url.pathname.split("/").slice(0);
      void full;
      const log = findJobLog(Number(jobId));
      res.writeHead(log === undefined ? 404 : 200, { "content-type": "text/plain" }).end(log ?? "");
      return;
    }
    if (r.method === "POST" && (m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(p)))
      return json(res, 201, { token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: body["permissions"] ?? {} });
    if (r.method === "GET" && p === "/app") return json(res, 200, { id: 1, slug, name: "Patchwright" });
    // The app's webhook deliveries: none failed here (the redelivery pass has its own tests).
    if (r.method === "GET" && p === "/app/hook/deliveries") return json(res, 200, []);
    if (r.method === "GET" && p === `/users/${slug}[bot]`) return json(res, 200, { id: 4242, login: `${slug}[bot]`, type: "Bot" });
    if (!(m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(p))) return json(res, 404, { message: "Not Found" });
    const full = `${m[1]}/${m[2]}`;
    const rest = m[3] ?? "";
    const repo = state.repos.get(full);
    if (!repo) return json(res, 404, { message: "Not Found" });
    const base = `http://${host()}`;

    if (r.method === "GET" && (m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const role = repo.roles[decodeURIComponent(m[1]!)];
      if (!role) return json(res, 404, { message: "Not Found" });
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return json(res, 200, { permission, role_name: role, user: { login: m[1] } });
    }
    if (r.method === "GET" && (m = /^\/contents\/(.+)$/.exec(rest))) {
      const file = decodeURIComponent(m[1]!);
      const send = (text: string) =>
        // Probot's config plugin asks for the raw file.
        /raw/.test(String(headers["accept"]))
          ? void res.writeHead(200, { "content-type": "text/plain" }).end(text)
          : json(res, 200, { type: "file", encoding: "base64", content: Buffer.from(text).toString("base64") });
      if (file === ".github/patchwright.yml") return repo.config !== undefined ? send(repo.config) : json(res, 404, { message: "Not Found" });
      // Any other file is served from the repository itself, at `ref` (default branch by default).
      const ref = url.searchParams.get("ref") ?? repo.defaultBranch;
      void showFile(path.join(options.gitRoot, `${full}.git`), ref, file).then(send, () => json(res, 404, { message: "Not Found" }));
      return;
    }
    if (r.method === "POST" && (m = /^\/issues\/comments\/(\d+)\/reactions$/.exec(rest))) return json(res, 201, { id: nextId++, content: body["content"] });
    if (r.method === "POST" && (m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const id = nextId++;
      state.comments.push({ id, repo: full, issue: Number(m[1]), body: String(body["body"]) });
      return json(res, 201, { id });
    }
    if (r.method === "GET" && (m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(m[1]);
      // Every comment here is the app's own.
      return json(res, 200, state.comments.filter((c) => c.repo === full && c.issue === issue).map((c) => ({ id: c.id, body: c.body, user: { login: `${slug}[bot]`, type: "Bot" } })));
    }
    if (r.method === "PATCH" && (m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const comment = state.comments.find((c) => c.repo === full && c.id === Number(m![1]));
      if (!comment) return json(res, 404, { message: "Not Found" });
      comment.body = String(body["body"]);
      events.emit("comment", comment);
      return json(res, 200, { id: comment.id });
    }
    if (r.method === "POST" && (m = /^\/issues\/(\d+)\/labels$/.exec(rest))) {
      const pr = state.pulls.find((p) => p.repo === full && p.number === Number(m![1]));
      if (!pr) return json(res, 404, { message: "Not Found" });
      pr.labels = [...new Set([...pr.labels, ...((body["labels"] as string[] | undefined) ?? [])])];
      return json(res, 200, pr.labels.map((name) => ({ name })));
    }
    if (r.method === "GET" && (m = /^\/issues\/(\d+)$/.exec(rest))) {
      const issue = repo.issues[Number(m[1])];
      return issue ? json(res, 200, { number: Number(m[1]), ...issue }) : json(res, 404, { message: "Not Found" });
    }
    if (r.method === "POST" && rest === "/check-runs") {
      const id = nextId++;
      state.checkRuns.set(id, { ...body, id });
      return json(res, 201, { id });
    }
    if (r.method === "PATCH" && (m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const id = Number(m[1]);
      state.checkRuns.set(id, { ...state.checkRuns.get(id), ...body, id });
      return json(res, 200, { id });
    }
    if (r.method === "GET" && (m = /^\/actions\/runs\/(\d+)\/jobs$/.exec(rest))) {
      const jobs = (repo.runs[Number(m[1])] ?? []).map((j) => ({
        id: j.id,
        run_id: Number(m![1]),
        name: j.name,
        status: "completed",
        conclusion: j.conclusion,
        html_url: `${base}/${full}/actions/runs/${m![1]}/job/${j.id}`,
        steps: j.steps.map((s) => ({ ...s, status: "completed" })),
      }));
      return json(res, 200, { total_count: jobs.length, jobs });
    }
    if (r.method === "GET" && (m = /^\/actions\/jobs\/(\d+)\/logs$/.exec(rest))) {
      res.writeHead(302, { location: `${base}/_logs/${full.replace("/", "--")}/${m[1]}` }).end();
      return;
    }
    if (r.method === "GET" && (m = /^\/branches\/([^/]+)$/.exec(rest))) {
      const branch = decodeURIComponent(m[1]!);
      void readBranchSha(path.join(options.gitRoot, `${full}.git`), branch).then((sha) =>
        sha ? json(res, 200, { name: branch, commit: { sha } }) : json(res, 404, { message: "Branch not found" }),
      );
      return;
    }
    if (r.method === "GET" && rest === "/dependabot/alerts") {
      const wanted = (a: Record<string, unknown>) => {
        const pkg = (a["dependency"] as { package?: { name?: string; ecosystem?: string } } | undefined)?.package;
        const is = (param: string, value: unknown) => url.searchParams.get(param) === null || url.searchParams.get(param) === value;
        return is("state", a["state"]) && is("package", pkg?.name) && is("ecosystem", pkg?.ecosystem);
      };
      return json(res, 200, (repo.alerts ?? []).filter(wanted));
    }
    if (r.method === "GET" && rest === "/pulls") {
      const head = url.searchParams.get("head")?.split(":")[1];
      return json(res, 200, state.pulls.filter((pr) => pr.repo === full && pr.head === head).map((pr) => ({ number: pr.number, html_url: `${base}/${full}/pull/${pr.number}` })));
    }
    if (r.method === "POST" && rest === "/pulls") {
      const number = nextId++;
      const pr = { number, repo: full, head: String(body["head"]), base: String(body["base"]), title: String(body["title"]), body: String(body["body"]), draft: body["draft"] === true, labels: [] as string[] };
      state.pulls.push(pr);
      events.emit("pull", pr);
      return json(res, 201, { number, html_url: `${base}/${full}/pull/${number}` });
    }
    return json(res, 404, { message: `Not Found: ${r.method} ${p}` });
  }

  function findJobLog(jobId: number): string | undefined {
    for (const repo of state.repos.values())
      for (const jobs of Object.values(repo.runs)) for (const job of jobs) if (job.id === jobId) return job.log;
    return undefined;
  }

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const host = () => `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `http://${host()}`,
    host: host(),
    token,
    ...state,
    events,
    waitFor(predicate) {
      const seen = state.requests.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const listener = (r: RecordedRequest) => {
          if (!predicate(r)) return;
          events.off("request", listener);
          resolve(r);
        };
        events.on("request", listener);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
