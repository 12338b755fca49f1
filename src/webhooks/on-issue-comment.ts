import { recordPermission } from "./record-permission.ts";
import type { Context } from "probot";
import { hasWriteAccess } from "../github/has-write-access.ts";
import { createRepoReads } from "../github/read-repository.ts";
import { createThreadComments } from "../github/thread-comments.ts";
import type { JobPayload } from "../queue/job.ts";
import type { WebhookDeps } from "./webhook-deps.ts";
import { enqueueIteration } from "./enqueue-iteration.ts";
import { appCommittedTo, isAppPullRequest, mayBeCommittedTo } from "./is-app-pull-request.ts";
import { parseAgentCommand } from "./parse-agent-command.ts";
import { repoRefOf } from "./repo-ref.ts";

/** What the help reply lists. */
export const COMMANDS =
  "Use `/agent fix [instructions]` (a fix as a pull request), `/agent explain [question]` (a diagnosis as a comment, no change), `/agent stop` or `/agent status`.";

/**
 * `issue_comment.created`: `/agent fix|explain [instructions]`, `/agent stop`
 * and `/agent status` from someone with write access. `/agent fix <what to
 * change>` on the app's own pull request, or on a person's pull request whose
 * branch the app committed a fix to (`is-app-pull-request.ts`), is a review
 * iteration: the change is made on that pull request's branch
 * (`enqueue-iteration.ts`).
 */
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

    // Deduped before anything else: a redelivered comment costs no GitHub call.
    if (!await deps.queue.recordDelivery(context.id)) {
      log.info("duplicate delivery ignored");
      return;
    }
    let allowed: boolean;
    try {
      allowed = await hasWriteAccess(context.octokit, { owner, repo, username: author });
    } catch (error) {
      // Nothing was done for this delivery: GitHub's redelivery of it must be handled, not ignored.
      await deps.queue.forgetDelivery(context.id);
      throw error;
    }
    const comments = createThreadComments(context.octokit, { owner, name: repo }, deps.redact);
    const reply = (body: string) => deps.tasks.run("reply", () => comments.post(issue.number, body));
    if (!allowed) {
      log.info({ author }, "command from a user without write access");
      reply(`Thanks @${author}! Only people with write access to this repository can ask Patchwright to fix things.`);
      return;
    }
    if (command.name === "stop") {
      const ids = (await deps.queue.jobsOfThread(repository.full_name, issue.number))
        .filter((j) => j.state === "queued" || j.state === "running")
        .map((j) => j.id);
      const { cancelled, flagged } = await deps.queue.requestCancel(ids, author);
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
      const jobs = await deps.queue.jobsOfThread(repository.full_name, issue.number);
      reply(
        jobs.length === 0
          ? "Patchwright has no jobs for this thread."
          : ["| job | kind | state | result |", "| --- | --- | --- | --- |", ...jobs.map((j) => `| ${j.id} | ${j.payload.kind} | ${j.state} | ${(j.result ?? "").replace(/\|/g, "\\|").slice(0, 120)} |`)].join("\n"),
      );
      return;
    }
    if (command.name === "unknown") {
      reply(`Unknown command \`/agent ${command.word}\`. ${COMMANDS}`);
      return;
    }
    const isPullRequest = issue.pull_request !== undefined;
    const authorIsBot = issue.user?.type === "Bot";
    // Only a pull request a bot opened can be the app's; a person's is iterated on only for `/agent fix <what to change>`
    // (a bare `/agent fix` there is the ordinary fix) and only if the app committed to its branch. Only those cost the lookups.
    if (command.name === "fix" && isPullRequest && (authorIsBot || command.instructions !== "")) {
      const forget = async (error: unknown): Promise<never> => {
        await deps.queue.forgetDelivery(context.id);
        throw error;
      };
      const reads = createRepoReads(context.octokit, { owner, name: repo });
      const pr = await reads.pullRequest(issue.number).catch(forget);
      const head = { headRef: pr.headRef, sameRepository: pr.sameRepository, authorIsBot };
      const iterates =
        isAppPullRequest(head) ||
        (mayBeCommittedTo({ ...head, defaultBranch: repository.default_branch }) && (await deps.appLogin().then((login) => appCommittedTo(reads, pr.number, login)).catch(forget)));
      if (iterates) {
        if (command.instructions === "") {
          reply(`Say what to change: \`/agent fix <what to change>\` on this pull request changes its branch \`${pr.headRef}\`. A review with comments on the code does it too.`);
          return;
        }
        await enqueueIteration(deps, {
          octokit: context.octokit,
          repo: repoRefOf(repository),
          installationId: installation.id,
          deliveryId: context.id,
          log,
          trigger: { type: "review", pullNumber: pr.number, headRef: pr.headRef, headSha: pr.headSha, author, via: { type: "comment", commentId: comment.id }, body: command.instructions.slice(0, 4000), comments: [] },
        }).catch(forget);
        return;
      }
    }
    const payload: JobPayload = {
      version: 1,
      kind: command.name === "explain" ? "explain" : isPullRequest ? "fix-ci" : "fix-issue",
      installationId: installation.id,
      deliveryId: context.id,
      repo: repoRefOf(repository),
      thread: issue.number,
      trigger: {
        type: "comment",
        issueNumber: issue.number,
        isPullRequest,
        commentId: comment.id,
        author,
        instructions: command.instructions,
      },
    };
    const { created, job } = await deps.queue.enqueue(payload, `comment:${repository.full_name}#${comment.id}`);
    if (!created) return;
    await recordPermission(deps.queue, job.id, { actor: author, delivery: context.id, via: `comment ${comment.id}` });
    log.info({ jobId: job.id, kind: payload.kind }, "job queued");
    deps.tasks.run("acknowledge", () => deps.acknowledge(job));
  };
}
