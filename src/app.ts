import type { ApplicationFunction } from "probot";
import { onCheckRunCompleted } from "./webhooks/on-check-run.ts";
import { onCheckRunRequestedAction } from "./webhooks/on-check-run-action.ts";
import { DEPENDABOT_ALERT_EVENTS, onDependabotAlert } from "./webhooks/on-dependabot-alert.ts";
import { onIssueCommentCreated } from "./webhooks/on-issue-comment.ts";
import { onPullRequestReviewSubmitted } from "./webhooks/on-pull-request-review.ts";
import { onRepositoryVulnerabilityAlert } from "./webhooks/on-repository-vulnerability-alert.ts";
import { onStatus } from "./webhooks/on-status.ts";
import { onWorkflowRunCompleted } from "./webhooks/on-workflow-run.ts";
import type { WebhookDeps } from "./webhooks/webhook-deps.ts";

/** Registers the webhook handlers. Tests import this with their own deps. */
export function createApp(deps: WebhookDeps): ApplicationFunction {
  return (app) => {
    app.on("workflow_run.completed", onWorkflowRunCompleted(deps));
    app.on("check_run.completed", onCheckRunCompleted(deps));
    app.on("check_run.requested_action", onCheckRunRequestedAction(deps));
    app.on("status", onStatus(deps));
    app.on("issue_comment.created", onIssueCommentCreated(deps));
    app.on("pull_request_review.submitted", onPullRequestReviewSubmitted(deps));
    app.on([...DEPENDABOT_ALERT_EVENTS], onDependabotAlert(deps));
    app.on("repository_vulnerability_alert", onRepositoryVulnerabilityAlert());
  };
}
