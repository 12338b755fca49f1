/**
 * What toolchains a failing job needs, read like GitHub's setup actions and
 * a hosted runner would: the job's `uses:` steps first, then the
 * repository's version files, lockfiles and `packageManager` field, then the
 * commands its `run:` scripts invoke. Pure apart from the injected reader.
 */
import { createRepoView, type RepoFiles, type SetupAction } from "./repo-view.ts";
import { resolveNodeRequest } from "./resolve-node-request.ts";
import { resolveBunRequest, resolvePnpmRequest, resolveYarnRequest } from "./resolve-package-manager-requests.ts";
import { resolvePythonRequest } from "./resolve-python-request.ts";
import { parsePackageManager } from "./read-version-file.ts";
import type { ToolRequest } from "./types.ts";

export type { RepoFiles, SetupAction } from "./repo-view.ts";

export interface ResolveToolRequestsInput {
  /** The job's `uses:` steps before the failing one, inputs interpolated. */
  readonly actions: readonly SetupAction[];
  readonly files: RepoFiles;
  /** The `run:` scripts of the planned steps. */
  readonly scripts: readonly string[];
  /** The package directory in a monorepo, relative to the root; default ".". */
  readonly directory?: string;
}

export interface ResolvedToolRequests {
  /** At most one request per tool. */
  readonly requests: ToolRequest[];
  /** What was read and what was ignored, for the reproduction report. */
  readonly notes: string[];
}

/** Never throws: unreadable or malformed files become notes. */
export async function resolveToolRequests(input: ResolveToolRequestsInput): Promise<ResolvedToolRequests> {
  const view = createRepoView(input);
  const found = [
    await resolveNodeRequest(view),
    await resolvePnpmRequest(view),
    await resolveYarnRequest(view),
    await resolveBunRequest(view),
    await resolvePythonRequest(view),
  ];
  const requests = found.filter((r): r is ToolRequest => r !== null);
  const pkg = await view.packageJson();
  const field = pkg?.facts.packageManager;
  if (field !== undefined) {
    const pinned = parsePackageManager(field);
    if (!pinned) view.notes.push(`${pkg?.path} packageManager "${field}" is not name@x.y.z; it was ignored.`);
    // Only a Node.js Patchwright provides brings an npm; this pins which (toolchain-cache.ts).
    else if (pinned.name === "npm") requests.push({ tool: "npm", spec: pinned.version, source: `${pkg?.path} packageManager` });
  }
  for (const request of requests) view.notes.push(`${request.tool} ${request.spec} (from ${request.source}).`);
  return { requests, notes: view.notes };
}
