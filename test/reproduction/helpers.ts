/** Fixtures for reproduction tests: workflow files and jobs-API step lists. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseWorkflow, type Workflow } from "../../src/reproduction/parse-workflow.ts";
import type { ReportedJob } from "../../src/reproduction/match-failed-job.ts";

const FIXTURES = path.join(import.meta.dirname, "fixtures");

export function fixtureText(name: string): string {
  return readFileSync(path.join(FIXTURES, name), "utf8");
}

export function fixtureWorkflow(name: string): Workflow {
  const parsed = parseWorkflow(fixtureText(name));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.workflow;
}

export function parseOrThrow(text: string): Workflow {
  const parsed = parseWorkflow(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.workflow;
}

/**
 * A job as the jobs API reports it: GitHub's `Set up job` first, the given
 * steps (name → conclusion), then `Post …` steps and `Complete job`.
 */
export function apiJob(name: string, steps: readonly (readonly [string, string | null])[], post: readonly string[] = []): ReportedJob {
  const all: [string, string | null][] = [["Set up job", "success"], ...steps.map(([n, c]) => [n, c] as [string, string | null])];
  for (const p of post) all.push([`Post ${p}`, "success"]);
  all.push(["Complete job", "success"]);
  return { name, steps: all.map(([stepName, conclusion], i) => ({ name: stepName, number: i + 1, conclusion, status: "completed" })) };
}

export const GITHUB = { sha: "0123456789abcdef0123456789abcdef01234567", refName: "main", eventName: "push", repository: "octo/app" };
