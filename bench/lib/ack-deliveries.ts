/**
 * Signed `workflow_run.completed` deliveries (a red run, from the real
 * example in `@octokit/webhooks-examples`), signed the way GitHub signs them.
 * Each has its own delivery id and head commit, so each one is a new job for
 * the app (a repeated commit would only add a source to the waiting job).
 */
import { createHash, createHmac, randomUUID } from "node:crypto";
import { workflowRunCompleted } from "../../test/support/payloads.ts";

export interface SignedDelivery {
  readonly id: string;
  readonly headSha: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

let serial = 0;

/** `count` new deliveries (commits never used before in this process), with their bodies signed with `secret`. */
export function signedWorkflowRunDeliveries(count: number, secret: string): SignedDelivery[] {
  const run = `${process.pid}-${Date.now()}`;
  return Array.from({ length: count }, () => {
    serial += 1;
    const id = randomUUID();
    const headSha = createHash("sha1").update(`${run}/${serial}`).digest("hex");
    const body = Buffer.from(JSON.stringify(workflowRunCompleted({ conclusion: "failure", headSha, runId: 1_000_000 + serial })));
    return {
      id,
      headSha,
      body,
      headers: {
        "content-type": "application/json",
        "content-length": String(body.length),
        "user-agent": "GitHub-Hookshot/bench",
        "x-github-event": "workflow_run",
        "x-github-delivery": id,
        "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
      },
    };
  });
}
