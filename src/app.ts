import type { ApplicationFunction } from "probot";
import { onIssueCommentCreated } from "./webhooks/on-issue-comment.ts";
import { onWorkflowRunCompleted } from "./webhooks/on-workflow-run.ts";
import type { WebhookDeps } from "./webhooks/webhook-deps.ts";

/** Registers the webhook handlers. Tests import this with their own deps. */
export function createApp(deps: WebhookDeps): ApplicationFunction {
  return (app) => {
    app.on("workflow_run.completed", onWorkflowRunCompleted(deps));
    app.on("issue_comment.created", onIssueCommentCreated(deps));
  };
}
