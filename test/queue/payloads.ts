/** Job payloads for queue tests: a CI failure (on a pull request or not), a command, an advisory. */
import type { JobPayload } from "../../src/queue/job.ts";

function repo(name: string): JobPayload["repo"] {
  return { owner: "o", name, cloneUrl: `https://github.com/o/${name}.git`, defaultBranch: "main" };
}

/** A red commit, on pull request `pr` when given. */
export function ciPayload(o: { sha?: string; pr?: number; repoName?: string } = {}): JobPayload {
  return {
    version: 1,
    kind: "fix-ci",
    installationId: 1,
    deliveryId: `d-${o.sha ?? "a"}`,
    repo: repo(o.repoName ?? "r"),
    ...(o.pr === undefined ? {} : { thread: o.pr }),
    trigger: {
      type: "ci",
      headSha: (o.sha ?? "a").repeat(40).slice(0, 40),
      headBranch: o.pr === undefined ? "main" : "feature",
      ...(o.pr === undefined ? {} : { pullRequest: { number: o.pr, baseBranch: "main" } }),
      sources: [{ type: "status", context: "ci", description: "", targetUrl: null }],
    },
  };
}

/** `/agent fix` on issue (or pull request) `issueNumber`. */
export function commentPayload(issueNumber: number, o: { repoName?: string; commentId?: number } = {}): JobPayload {
  return {
    version: 1,
    kind: "fix-issue",
    installationId: 1,
    deliveryId: `c-${issueNumber}`,
    repo: repo(o.repoName ?? "r"),
    thread: issueNumber,
    trigger: { type: "comment", issueNumber, isPullRequest: false, commentId: o.commentId ?? 100, author: "maintainer", instructions: "" },
  };
}

/** A Dependabot alert on npm package `pkg`. */
export function advisoryPayload(pkg = "lodash"): JobPayload {
  return {
    version: 1,
    kind: "bump-dependency",
    installationId: 1,
    deliveryId: `a-${pkg}`,
    repo: repo("r"),
    trigger: {
      type: "advisory",
      alertNumber: 12,
      ghsaId: "GHSA-35jh-r3h4-6jhm",
      severity: "high",
      summary: "Command injection",
      url: "https://github.com/o/r/security/dependabot/12",
      ecosystem: "npm",
      package: pkg,
      vulnerableRanges: ["< 4.17.21"],
      manifestPath: "package-lock.json",
    },
  };
}
