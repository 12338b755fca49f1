import examples from "@octokit/webhooks-examples" with { type: "json" };
import type { JobRecord } from "../../src/queue/job.ts";

/**
 * Real webhook payloads from `@octokit/webhooks-examples`, adapted to each
 * case (repository, installation, conclusion, comment body…).
 */

type Json = Record<string, unknown>;

function example(name: string, predicate: (e: Json) => boolean): Json {
  const def = (examples as unknown as { name: string; examples: Json[] }[]).find((d) => d.name === name);
  const found = def?.examples.find(predicate);
  if (!found) throw new Error(`no ${name} example`);
  return structuredClone(found);
}

export interface RepoOptions {
  owner?: string;
  name?: string;
  /** Base for html/clone URLs, e.g. the fake GitHub server's URL. */
  baseUrl?: string;
  defaultBranch?: string;
  installationId?: number;
}

function repository(base: Json, o: RepoOptions): Json {
  const owner = o.owner ?? "octo-org";
  const name = o.name ?? "octo-repo";
  const web = o.baseUrl ?? "https://github.com";
  return {
    ...base,
    name,
    full_name: `${owner}/${name}`,
    owner: { ...(base["owner"] as Json), login: owner },
    html_url: `${web}/${owner}/${name}`,
    clone_url: `${web}/${owner}/${name}.git`,
    default_branch: o.defaultBranch ?? "main",
  };
}

export function workflowRunCompleted(
  o: RepoOptions & {
    conclusion?: string;
    headSha?: string;
    headBranch?: string;
    runId?: number;
    /** `owner/name` of the head repository; defaults to the repository itself (not a fork). */
    headRepoFullName?: string;
    /** A same-repository pull request whose head is this commit. */
    pullRequest?: number;
    workflowId?: number;
    /** The workflow file of the run (default `.github/workflows/ci.yml`). */
    workflowPath?: string;
  } = {},
): Json {
  const p = example("workflow_run", (e) => e["action"] === "completed");
  const repo = repository(p["repository"] as Json, o);
  const run = p["workflow_run"] as Json;
  const runId = o.runId ?? 30433642;
  p["repository"] = repo;
  p["installation"] = { id: o.installationId ?? 42, node_id: "MDIz" };
  p["workflow_run"] = {
    ...run,
    id: runId,
    name: "CI",
    conclusion: o.conclusion ?? "failure",
    head_sha: o.headSha ?? "3484a3fb816e0859fd6e1cea078d76385ff50625",
    head_branch: o.headBranch ?? "main",
    event: "push",
    html_url: `${repo["html_url"]}/actions/runs/${runId}`,
    head_repository: { ...(run["head_repository"] as Json), full_name: o.headRepoFullName ?? repo["full_name"] },
    workflow_id: o.workflowId ?? 161335,
    path: o.workflowPath ?? ".github/workflows/ci.yml",
    pull_requests: o.pullRequest
      ? [{ number: o.pullRequest, head: { ref: o.headBranch ?? "feature", sha: o.headSha ?? "3484a3fb816e0859fd6e1cea078d76385ff50625" }, base: { ref: "main", sha: "0".repeat(40) } }]
      : [],
    repository: { ...(run["repository"] as Json), full_name: repo["full_name"] },
  };
  return p;
}

export function issueCommentCreated(
  o: RepoOptions & {
    body: string;
    author?: string;
    userType?: "User" | "Bot";
    issueNumber?: number;
    commentId?: number;
    pullRequest?: boolean;
    /** Who opened the issue or pull request (default: the example's user). */
    issueAuthorType?: "User" | "Bot";
  },
): Json {
  const p = example("issue_comment", (e) => e["action"] === "created");
  const repo = repository(p["repository"] as Json, o);
  const author = o.author ?? "maintainer";
  const issue = p["issue"] as Json;
  const comment = p["comment"] as Json;
  const number = o.issueNumber ?? 7;
  p["repository"] = repo;
  p["installation"] = { id: o.installationId ?? 42, node_id: "MDIz" };
  p["sender"] = { ...(p["sender"] as Json), login: author, type: o.userType ?? "User" };
  p["comment"] = { ...comment, id: o.commentId ?? 9001, body: o.body, user: { ...(comment["user"] as Json), login: author, type: o.userType ?? "User" } };
  const { pull_request: _drop, ...plainIssue } = issue;
  p["issue"] = {
    ...plainIssue,
    number,
    ...(o.issueAuthorType ? { user: { ...(plainIssue["user"] as Json), login: o.issueAuthorType === "Bot" ? "patchwright[bot]" : "someone", type: o.issueAuthorType } } : {}),
    ...(o.pullRequest ? { pull_request: { url: `${repo["html_url"]}/pull/${number}` } } : {}),
  };
  return p;
}

/**
 * `pull_request_review.submitted` from the examples, on pull request `number`:
 * by default the app's own (a bot's pull request from a `patchwright/` branch
 * of the repository) and reviewed by a person who comments on the code.
 */
export function pullRequestReviewSubmitted(
  o: RepoOptions & {
    state?: "commented" | "changes_requested" | "approved";
    body?: string | null;
    reviewer?: string;
    reviewerType?: "User" | "Bot";
    reviewId?: number;
    number?: number;
    headRef?: string;
    headSha?: string;
    /** `owner/name` of the head repository; defaults to the repository itself (not a fork). */
    headRepoFullName?: string;
    prAuthor?: string;
    prAuthorType?: "User" | "Bot";
  } = {},
): Json {
  const p = example("pull_request_review", (e) => e["action"] === "submitted");
  const repo = repository(p["repository"] as Json, o);
  const review = p["review"] as Json;
  const pr = p["pull_request"] as Json;
  const head = pr["head"] as Json;
  const number = o.number ?? 12;
  const reviewId = o.reviewId ?? 237895671;
  const reviewer = { ...(review["user"] as Json), login: o.reviewer ?? "maintainer", type: o.reviewerType ?? "User" };
  p["repository"] = repo;
  p["installation"] = { id: o.installationId ?? 42, node_id: "MDIz" };
  p["sender"] = { ...(p["sender"] as Json), login: reviewer.login, type: reviewer.type };
  p["review"] = {
    ...review,
    id: reviewId,
    user: reviewer,
    body: o.body === undefined ? null : o.body,
    state: o.state ?? "commented",
    html_url: `${repo["html_url"]}/pull/${number}#pullrequestreview-${reviewId}`,
  };
  p["pull_request"] = {
    ...pr,
    number,
    state: "open",
    user: { ...(pr["user"] as Json), login: o.prAuthor ?? "patchwright[bot]", type: o.prAuthorType ?? "Bot" },
    head: {
      ...head,
      ref: o.headRef ?? "patchwright/fix-3484a3f",
      sha: o.headSha ?? "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      repo: { ...(head["repo"] as Json), full_name: o.headRepoFullName ?? repo["full_name"] },
    },
  };
  return p;
}

export function checkRunCompleted(
  o: RepoOptions & { conclusion?: string; appSlug?: string; appId?: number; headSha?: string; headBranch?: string | null; pullRequest?: number },
): Json {
  const p = example("check_run", (e) => e["action"] === "completed");
  const repo = repository(p["repository"] as Json, o);
  const check = p["check_run"] as Json;
  const headSha = o.headSha ?? "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
  p["repository"] = repo;
  p["installation"] = { id: o.installationId ?? 42, node_id: "MDIz" };
  p["check_run"] = {
    ...check,
    id: 128620228,
    name: "buildkite/tests",
    head_sha: headSha,
    conclusion: o.conclusion ?? "failure",
    details_url: "https://buildkite.example/builds/1",
    app: { ...(check["app"] as Json), id: o.appId ?? 999, slug: o.appSlug ?? "buildkite" },
    check_suite: { ...(check["check_suite"] as Json), head_branch: o.headBranch === undefined ? "main" : o.headBranch },
    pull_requests: o.pullRequest
      ? [{ number: o.pullRequest, head: { ref: o.headBranch ?? "feature", sha: headSha }, base: { ref: "main", sha: "0".repeat(40) } }]
      : [],
  };
  return p;
}

export function statusEvent(o: RepoOptions & { state?: string; branches?: string[]; sha?: string }): Json {
  const p = example("status", () => true);
  p["repository"] = repository(p["repository"] as Json, o);
  p["installation"] = { id: o.installationId ?? 42, node_id: "MDIz" };
  p["sha"] = o.sha ?? "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
  p["state"] = o.state ?? "failure";
  p["context"] = "ci/jenkins";
  p["description"] = "Build #12 failed";
  p["target_url"] = "https://jenkins.example/job/12";
  p["branches"] = (o.branches ?? ["main"]).map((name) => ({ name, commit: { sha: p["sha"] } }));
  return p;
}

/** One vulnerable range of an advisory, as `security_advisory.vulnerabilities[]` lists it. */
export interface AlertVulnerability {
  readonly range: string;
  readonly firstPatched?: string | null;
}

/**
 * `dependabot_alert` from the examples (the `created` one, about `semver`),
 * moved to another package, advisory and manifest. `vulnerabilities` lists
 * every range the advisory gives for the package; the first is the alert's own.
 */
export function dependabotAlert(
  o: RepoOptions & {
    action?: "created" | "reopened" | "reintroduced" | "dismissed" | "fixed";
    alertNumber?: number;
    ecosystem?: string;
    packageName?: string;
    manifestPath?: string;
    scope?: "runtime" | "development" | null;
    ghsaId?: string;
    cveId?: string | null;
    severity?: string;
    summary?: string;
    vulnerabilities?: readonly AlertVulnerability[];
  } = {},
): Json {
  const p = example("dependabot_alert", (e) => e["action"] === "created");
  const repo = repository(p["repository"] as Json, o);
  const alert = p["alert"] as Json;
  const advisory = alert["security_advisory"] as Json;
  const ecosystem = o.ecosystem ?? "npm";
  const name = o.packageName ?? "lodash";
  const ghsaId = o.ghsaId ?? "GHSA-35jh-r3h4-6jhm";
  const cveId = o.cveId === undefined ? "CVE-2021-23337" : o.cveId;
  const number = o.alertNumber ?? 12;
  const pkg = { ecosystem, name };
  const vulnerabilities = (o.vulnerabilities ?? [{ range: "< 4.17.21", firstPatched: "4.17.21" }]).map((v) => ({
    package: pkg,
    severity: o.severity ?? "high",
    vulnerable_version_range: v.range,
    first_patched_version: v.firstPatched ? { identifier: v.firstPatched } : null,
  }));
  p["action"] = o.action ?? "created";
  p["repository"] = repo;
  p["installation"] = { id: o.installationId ?? 42, node_id: "MDIz" };
  p["alert"] = {
    ...alert,
    number,
    state: o.action === "dismissed" ? "dismissed" : o.action === "fixed" ? "fixed" : "open",
    dependency: { package: pkg, manifest_path: o.manifestPath ?? "package-lock.json", scope: o.scope === undefined ? "runtime" : o.scope },
    security_advisory: {
      ...advisory,
      ghsa_id: ghsaId,
      cve_id: cveId,
      summary: o.summary ?? "Command Injection in lodash",
      severity: o.severity ?? "high",
      identifiers: [{ value: ghsaId, type: "GHSA" }, ...(cveId ? [{ value: cveId, type: "CVE" }] : [])],
      vulnerabilities,
    },
    security_vulnerability: vulnerabilities[0],
    url: `${String(repo["html_url"]).replace(/^(https?:\/\/[^/]+)\//, "$1/api/v3/repos/")}/dependabot/alerts/${number}`,
    html_url: `${repo["html_url"]}/security/dependabot/${number}`,
  };
  return p;
}

/** A job as a worker holds it: leased, on its first run. */
export function runningJob(payload: JobRecord["payload"], record: Partial<Omit<JobRecord, "payload">> = {}): JobRecord {
  return { id: 1, state: "running", attempts: 1, ackId: null, runAfter: 0, result: null, createdAt: 0, updatedAt: 0, payload, ...record };
}
