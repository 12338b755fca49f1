import type { Context } from "probot";
import type { JobPayload, JobRecord } from "../queue/job.ts";
import type { Octokit } from "../github/types.ts";
import type { WebhookDeps } from "./webhook-deps.ts";
import { parseAgentCommand } from "./parse-agent-command.ts";
import { repoRefOf } from "./repo-ref.ts";

const ALLOWED_ROLES = new Set(["admin", "maintain", "write"]);

/** `issue_comment.created`: `/agent fix [instructions]` from someone with write access. */
export function onIssueCommentCreated(deps: WebhookDeps) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const { comment, issue, repository, installation, sender } = context.payload;
    if (comment.user?.type === "Bot" || sender.type === "Bot") return;
    const command = parseAgentCommand(comment.body);
    if (!command || !installation) return;
    const log = context.log.child({ delivery: context.id, repo: repository.full_name, issue: issue.number });
    const owner = repository.owner.login;
    const repo = repository.name;
    const author = comment.user?.login ?? sender.login;

    // author_association is not enough (it says nothing about write access): ask GitHub.
    const allowed = await hasWriteAccess(context.octokit, owner, repo, author);
    if (!deps.queue.recordDelivery(context.id)) {
      log.info("duplicate delivery ignored");
      return;
    }
    const reply = (body: string) =>
      deps.tasks.run("reply", () =>
        context.octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body }),
      );
    if (!allowed) {
      log.info({ author }, "command from a user without write access");
      reply(`Thanks @${author}! Only people with write access to this repository can ask Patchwright to fix things.`);
      return;
    }
    if (command.name === "stop") {
      const ids = jobsOfThread(deps, repository.full_name, issue.number).filter((j) => j.state === "queued" || j.state === "running").map((j) => j.id);
      const { cancelled, flagged } = deps.queue.requestCancel(ids, author);
      log.info({ cancelled: cancelled.length, flagged: flagged.length }, "stop requested");
      for (const job of cancelled) deps.tasks.run("report-cancelled", () => deps.reportCancelled(context.octokit, job, author));
      reply(
        ids.length === 0
          ? "Nothing to stop: Patchwright has no job running here."
          : `Stopping ${ids.length} job${ids.length === 1 ? "" : "s"}. Nothing will be pushed.`,
      );
      return;
    }
    if (command.name === "status") {
      const jobs = jobsOfThread(deps, repository.full_name, issue.number);
      reply(
        jobs.length === 0
          ? "Patchwright has no jobs for this thread."
          : ["| job | kind | state | result |", "| --- | --- | --- | --- |", ...jobs.map((j) => `| ${j.id} | ${j.payload.kind} | ${j.state} | ${(j.result ?? "").replace(/\|/g, "\\|").slice(0, 120)} |`)].join("\n"),
      );
      return;
    }
    if (command.name !== "fix") {
      reply(`Unknown command \`/agent ${command.word}\`. Use \`/agent fix [instructions]\`, \`/agent stop\` or \`/agent status\`.`);
      return;
    }
    const isPullRequest = issue.pull_request !== undefined;
    const payload: JobPayload = {
      version: 1,
      kind: isPullRequest ? "fix-ci" : "fix-issue",
      installationId: installation.id,
      deliveryId: context.id,
      repo: repoRefOf(repository),
      trigger: {
        type: "comment",
        issueNumber: issue.number,
        isPullRequest,
        commentId: comment.id,
        author,
        instructions: command.instructions,
      },
    };
    const { created, job } = deps.queue.enqueue(payload, `comment:${repository.full_name}#${comment.id}`);
    if (!created) return;
    log.info({ jobId: job.id, kind: payload.kind }, "job queued");
    deps.tasks.run("acknowledge", () => deps.acknowledge(context.octokit, job));
  };
}

async function hasWriteAccess(octokit: Octokit, owner: string, repo: string, username: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
    return ALLOWED_ROLES.has(data.role_name) || ALLOWED_ROLES.has(data.permission);
  } catch (error) {
    // 404: not a collaborator at all.
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}

/** Jobs started from this issue or pull request: its comments, and CI failures of the pull request. */
function jobsOfThread(deps: WebhookDeps, fullName: string, number: number): JobRecord[] {
  return deps.queue.list().filter((j) => {
    const { repo, trigger } = j.payload;
    if (`${repo.owner}/${repo.name}` !== fullName) return false;
    if (trigger.type === "comment") return trigger.issueNumber === number;
    return trigger.type === "ci" && trigger.pullRequest?.number === number;
  });
}
