import { extractAnnotations, keepInRepository, MAX_ANNOTATIONS, type AnnotationSource } from "../../github/extract-annotations.ts";
import type { Annotation } from "../../github/report.ts";
import { repoFileLines } from "../../security/repo-file-lines.ts";
import { SANDBOX_WORKSPACE } from "../../workspace/sandbox-paths.ts";
import type { Workspace } from "../../workspace/types.ts";
import type { Ending } from "../job-context.ts";

/**
 * The lines of the checkout that `sources` (the failure's output, the
 * diagnosis) point at, after `known` ones: only files that exist in
 * `workspace` with that many lines. Call it while the workspace still holds
 * the commit under repair (before a fix or a recipe edits it).
 */
export async function locateAnnotations(workspace: Workspace, sources: readonly AnnotationSource[], known: readonly Annotation[] = []): Promise<Annotation[]> {
  const found = extractAnnotations(sources, { roots: [workspace.dir, SANDBOX_WORKSPACE] });
  const located = await keepInRepository(found, (path) => repoFileLines(workspace.dir, path));
  const merged = new Map(known.map((a) => [`${a.path}:${a.line}`, { ...a }]));
  for (const a of located) {
    const seen = merged.get(`${a.path}:${a.line}`);
    if (seen) seen.level = seen.level === "failure" || a.level === "failure" ? "failure" : "notice";
    else if (merged.size < MAX_ANNOTATIONS) merged.set(`${a.path}:${a.line}`, a);
  }
  return [...merged.values()];
}

/** The ending, its report carrying `annotations` when there are any. */
export function annotated(ending: Ending, annotations: readonly Annotation[]): Ending {
  return ending.report && annotations.length > 0 ? { ...ending, report: { ...ending.report, annotations } } : ending;
}
