import type { Annotation } from "./report.ts";

/** A text that may name `path:line` locations, and how its locations are marked. */
export interface AnnotationSource {
  text: string;
  /** `failure` for the failure's own output, `notice` for the diagnosis pointing at code. */
  level: Annotation["level"];
}

/** A report points at a handful of lines; past this it is noise (and GitHub's per-request cap). */
export const MAX_ANNOTATIONS = 50;
const MESSAGE_CHARS = 300;
const MAX_LINE = 10_000_000;

/**
 * A path with an extension, then its line: `src/a.ts:12`, `src/a.ts:12:5`,
 * `src/a.ts(12,5)` (tsc), `"src/a.py", line 12` (Python), `src/a.go#L12`.
 * `file://` URLs and absolute paths are taken too, and mapped onto the
 * repository below.
 */
const LOCATION = /(?:file:\/\/)?((?:[A-Za-z]:)?[\w@.+~\\/-]*[\w@+-]\.[A-Za-z][\w]{0,9})(?::(\d+)(?::\d+)?|\((\d+)(?:,\d+)?\)|",? line (\d+)|#L(\d+))/g;

/** Where CI runners check a repository out: an absolute path under one of these is relative to what follows. */
const CI_CHECKOUTS: readonly RegExp[] = [
  /^\/home\/runner\/work\/[^/]+\/[^/]+\//, // GitHub-hosted Linux
  /^\/Users\/runner\/work\/[^/]+\/[^/]+\//, // macOS
  /^[A-Za-z]:\/a\/[^/]+\/[^/]+\//, // Windows (D:\a\repo\repo\)
  /^\/__w\/[^/]+\/[^/]+\//, // container jobs
  /^\/github\/workspace\//, // Docker actions
];

/**
 * The `path:line` locations `sources` name inside the repository, as check
 * run annotations: paths made relative to the repository (`roots` are where
 * it was checked out here, e.g. the workspace and its sandbox mount; CI
 * runners' checkouts are known), anything else absolute, with `..`, under
 * `node_modules/` or `.git/` dropped. One per path and line (a failure wins
 * over a notice), in order of appearance, at most `max`. Whether the file
 * exists is `keepInRepository`'s question.
 */
export function extractAnnotations(sources: readonly AnnotationSource[], options: { roots?: readonly string[]; max?: number } = {}): Annotation[] {
  const max = options.max ?? MAX_ANNOTATIONS;
  const roots = (options.roots ?? []).map((r) => `${r.replace(/\\/g, "/").replace(/\/+$/, "")}/`);
  const found = new Map<string, Annotation>();
  for (const source of sources) {
    for (const line of source.text.split("\n")) {
      for (const m of line.matchAll(LOCATION)) {
        const path = repoPath(m[1] ?? "", roots);
        const number = Number(m[2] ?? m[3] ?? m[4] ?? m[5]);
        if (path === null || !Number.isInteger(number) || number < 1 || number > MAX_LINE) continue;
        const key = `${path}:${number}`;
        const seen = found.get(key);
        if (seen) {
          if (source.level === "failure") seen.level = "failure";
          continue;
        }
        if (found.size >= max) continue;
        found.set(key, { path, line: number, level: source.level, message: message(line) });
      }
    }
  }
  return [...found.values()];
}

/**
 * The annotations whose file is a regular file of the checkout with at least
 * that many lines; `lines` answers null for anything else (missing, a
 * directory, outside the repository through a link).
 */
export async function keepInRepository(annotations: readonly Annotation[], lines: (path: string) => Promise<number | null>): Promise<Annotation[]> {
  const counts = new Map<string, Promise<number | null>>();
  const kept: Annotation[] = [];
  for (const a of annotations) {
    if (!counts.has(a.path)) counts.set(a.path, lines(a.path).catch(() => null));
    const count = await counts.get(a.path);
    if (count !== null && count !== undefined && a.line <= count) kept.push(a);
  }
  return kept;
}

/** `raw` relative to the repository root, or null when it is not inside it. */
function repoPath(raw: string, roots: readonly string[]): string | null {
  let p = raw.replace(/\\/g, "/");
  const root = roots.find((r) => p.startsWith(r));
  if (root) p = p.slice(root.length);
  else {
    const ci = CI_CHECKOUTS.find((re) => re.test(p));
    if (ci) p = p.replace(ci, "");
  }
  p = p.replace(/^(?:\.\/)+/, "").replace(/\/{2,}/g, "/");
  if (p === "" || p.startsWith("/") || p.startsWith("~") || /^[A-Za-z]:/.test(p)) return null;
  const segments = p.split("/");
  if (segments.some((s) => s === ".." || s === "." || s === "" || s === "node_modules" || s === ".git")) return null;
  return p;
}

/** The line that names the location, as the annotation's message. */
function message(line: string): string {
  const text = line.trim().replace(/\s+/g, " ");
  return text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS - 1)}…` : text;
}
