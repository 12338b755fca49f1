import type { ApplicationFunction } from "probot";
import { onCheckRunCompleted } from "./webhooks/on-check-run.ts";
import { onIssueCommentCreated } from "./webhooks/on-issue-comment.ts";
import { onStatus } from "./webhooks/on-status.ts";
import { onWorkflowRunCompleted } from "./webhooks/on-workflow-run.ts";
import type { WebhookDeps } from "./webhooks/webhook-deps.ts";

/** Registers the webhook handlers. Tests import this with their own deps. */
export function createApp(deps: WebhookDeps): ApplicationFunction {
  return (app) => {
    app.on("workflow_run.completed", onWorkflowRunCompleted(deps));
    app.on("check_run.completed", onCheckRunCompleted(deps));
    app.on("status", onStatus(deps));
    app.on("issue_comment.created", onIssueCommentCreated(deps));
  };
}
