/**
 * What a GitHub-hosted Linux runner would provide, mapped onto the sandbox:
 * the `github.*`/`runner.*` expression contexts and the `GITHUB_*` variables.
 */
import { SANDBOX_WORKSPACE } from "../workspace/sandbox-paths.ts";
import type { GithubFacts } from "./types.ts";

/** `runner.*` inside the sandbox. */
export const RUNNER_CONTEXT: Readonly<Record<string, string>> = { os: "Linux", temp: "/tmp" };

/** `github.*` values known locally, keyed as in expressions (`ref_name`). */
export function githubContext(facts: GithubFacts): Record<string, string> {
  const context: Record<string, string> = { sha: facts.sha, workspace: SANDBOX_WORKSPACE };
  if (facts.refName !== undefined) context["ref_name"] = facts.refName;
  if (facts.ref !== undefined) context["ref"] = facts.ref;
  if (facts.repository !== undefined) {
    context["repository"] = facts.repository;
    context["repository_owner"] = facts.repository.split("/")[0] ?? "";
  }
  if (facts.eventName !== undefined) context["event_name"] = facts.eventName;
  if (facts.headRef !== undefined) context["head_ref"] = facts.headRef;
  if (facts.baseRef !== undefined) context["base_ref"] = facts.baseRef;
  return context;
}

/**
 * The default variables of a runner. Not the file-command variables
 * (`GITHUB_ENV`, `GITHUB_OUTPUT`, ...): `runPlan` gives each step its own
 * files (`runner-files.ts`), and `jobCommand` points them at /dev/null.
 */
export function runnerEnvironment(facts: GithubFacts): Record<string, string> {
  const github = githubContext(facts);
  const env: Record<string, string> = {
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: SANDBOX_WORKSPACE,
    GITHUB_SHA: facts.sha,
    RUNNER_OS: RUNNER_CONTEXT["os"] ?? "Linux",
    RUNNER_TEMP: RUNNER_CONTEXT["temp"] ?? "/tmp",
  };
  for (const key of ["ref_name", "ref", "repository", "repository_owner", "event_name", "head_ref", "base_ref"]) {
    const value = github[key];
    if (value !== undefined) env[`GITHUB_${key.toUpperCase()}`] = value;
  }
  return env;
}
