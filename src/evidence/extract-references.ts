/**
 * File and line references in excerpt lines (`src/a.ts:12:5`, `a.ts(12,5)`,
 * `File "a.py", line 12`, Java's `(Calc.java:12)`), normalised to paths relative
 * to the repository root. With `repoFiles`, only references to files of the
 * repository are kept (matched by path suffix, or by a unique file name).
 */

export interface LogReference {
  readonly path: string;
  readonly line: number;
}

const MAX_REFERENCES = 50;

// path:line[:col]  or  path(line[,col])  — the path has a file extension.
const PATH_LINE = /(?:^|[\s('"`[<=,])((?:[A-Za-z]:)?[\w.@+~/\\-]+\.[A-Za-z]\w{0,9})(?::(\d{1,7})(?::\d+)?|\((\d{1,7})(?:,\s?\d+)?\))/g;
// Cheap test first: a reference has a digit right after ':' or '(', or the word "line".
const MAYBE_REFERENCE = /[:(]\d|, line \d/;
const PYTHON_FRAME = /File "([^"]+)", line (\d{1,7})/g;

// Workspace roots of common CI runners, up to and including the repository folder.
const WORKSPACE_PREFIXES: readonly RegExp[] = [
  /^\/home\/runner\/work\/[^/]+\/[^/]+\//,
  /^\/__w\/[^/]+\/[^/]+\//,
  /^[A-Za-z]:\/a\/[^/]+\/[^/]+\//,
  /^\/github\/workspace\//,
  /^\/home\/travis\/build\/[^/]+\/[^/]+\//,
  /^\/Users\/travis\/build\/[^/]+\/[^/]+\//,
  /^\/builds\/[^/]+\/[^/]+\//,
  /^\/workspace\//,
];
const EXTERNAL = /(?:^|\/)(?:node_modules|site-packages|dist-packages|vendor|\.cargo|\.rustup|\.m2|\.gradle|go\/pkg\/mod)\/|^(?:node:|internal\/|\/usr\/|\/opt\/|\/rustc\/|\/tmp\/|<)/;
const SOURCE_EXT =
  /\.(?:[cm]?[jt]sx?|py|go|rs|java|kt|kts|scala|rb|php|cs|fs|vb|c|cc|cpp|cxx|h|hh|hpp|m|mm|swift|ex|exs|erl|hs|lua|pl|pm|r|sh|ps1|psm1|vue|svelte|css|scss|sass|less|html|json|ya?ml|toml|md|sql|gradle|xml|tex|vim|el|clj|dart|zig|nim)$/i;

export function normalisePath(path: string): { path: string; inWorkspace: boolean } {
  let p = path.replace(/\\/g, "/");
  let inWorkspace = false;
  for (const prefix of WORKSPACE_PREFIXES) {
    const m = prefix.exec(p);
    if (m) {
      p = p.slice(m[0].length);
      inWorkspace = true;
      break;
    }
  }
  while (p.startsWith("./")) p = p.slice(2);
  return { path: p, inWorkspace };
}

function createResolver(repoFiles: ReadonlySet<string> | undefined): (path: string) => string | undefined {
  if (!repoFiles) {
    return (raw) => {
      const { path, inWorkspace } = normalisePath(raw);
      if (EXTERNAL.test(path)) return undefined;
      if (path.startsWith("/") && !inWorkspace) return undefined;
      if (!path.includes("/") && !SOURCE_EXT.test(path)) return undefined;
      return path;
    };
  }
  let byName: Map<string, string[]> | undefined;
  return (raw) => {
    const { path } = normalisePath(raw);
    if (repoFiles.has(path)) return path;
    // Absolute or prefixed paths: the longest suffix that is a repository file.
    for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) {
      const suffix = path.slice(i + 1);
      if (suffix.includes("/") && repoFiles.has(suffix)) return suffix;
    }
    // A bare or short path (Java frames): accept a unique file of that name.
    byName ??= indexByName(repoFiles);
    const name = path.slice(path.lastIndexOf("/") + 1);
    const matches = (byName.get(name) ?? []).filter((f) => f === path || f.endsWith(`/${path}`));
    return matches.length === 1 ? matches[0] : undefined;
  };
}

function indexByName(files: ReadonlySet<string>): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const f of files) {
    const name = f.slice(f.lastIndexOf("/") + 1);
    const list = map.get(name);
    if (list) list.push(f);
    else map.set(name, [f]);
  }
  return map;
}

/** References in `lines`, in order of first appearance, deduplicated, at most 50. */
export function extractReferences(lines: readonly string[], repoFiles?: ReadonlySet<string>): LogReference[] {
  const resolve = createResolver(repoFiles);
  const seen = new Set<string>();
  const out: LogReference[] = [];
  const add = (rawPath: string, rawLine: string | undefined): void => {
    const line = Number(rawLine);
    if (!Number.isInteger(line) || line < 1) return;
    if (/^[a-z][\w+.-]*:\/\//i.test(rawPath) || rawPath.includes("://")) return;
    const path = resolve(rawPath);
    if (path === undefined || path === "") return;
    const key = `${path}:${line}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, line });
  };
  for (const text of lines) {
    if (out.length >= MAX_REFERENCES) break;
    if (text.length > 2000 || !MAYBE_REFERENCE.test(text)) continue;
    for (const m of text.matchAll(PYTHON_FRAME)) add(m[1] ?? "", m[2]);
    for (const m of text.matchAll(PATH_LINE)) {
      const before = text.slice(Math.max(0, (m.index ?? 0) - 3), (m.index ?? 0) + 1);
      if (before.includes("//")) continue; // inside a URL
      add(m[1] ?? "", m[2] ?? m[3]);
    }
  }
  return out.slice(0, MAX_REFERENCES);
}
