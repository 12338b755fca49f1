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
 * The default variables of a runner. The file-command variables point into
 * the sandbox's private /tmp, so `echo x=y >> "$GITHUB_OUTPUT"` works as in CI
 * (what a step writes there is not carried to the next step).
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
    GITHUB_OUTPUT: "/tmp/github_output",
    GITHUB_ENV: "/tmp/github_env",
    GITHUB_PATH: "/tmp/github_path",
    GITHUB_STEP_SUMMARY: "/tmp/github_step_summary",
    GITHUB_STATE: "/tmp/github_state",
  };
  for (const key of ["ref_name", "ref", "repository", "repository_owner", "event_name", "head_ref", "base_ref"]) {
    const value = github[key];
    if (value !== undefined) env[`GITHUB_${key.toUpperCase()}`] = value;
  }
  return env;
}
