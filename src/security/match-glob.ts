/**
 * A small glob matcher for repository-relative paths (protected paths, policy
 * checks). Rules, chosen to read like `.gitignore` without its corner cases:
 *
 * - `*` matches any characters except `/`; `?` matches one character except `/`.
 * - `**` matches any number of whole path segments, including none:
 *   `a/**` matches everything below `a`, `**\/x` matches `x` at any depth,
 *   `a/**\/b` matches `a/b` and `a/x/y/b`.
 * - A pattern without `/` matches the file name at any depth (`*.pem` protects
 *   `certs/dev.pem`); a leading `/` anchors it to the root instead.
 * - A trailing `/` means "this directory and everything below it".
 * - Dot files are not special: `*` matches `.env`.
 * - Every other character is literal (no `[...]` classes, no `{a,b}`).
 *
 * Paths use `/`, are relative to the repository root and have no leading `./`.
 */

export interface GlobOptions {
  /** Match letters case-insensitively (used for protection, where a miss is worse than a false hit). */
  readonly nocase?: boolean;
}

/** Compiles a glob (rules above) to an anchored regular expression. */
export function globToRegExp(glob: string, options: GlobOptions = {}): RegExp {
  let pattern = glob.trim();
  if (pattern.startsWith("/")) pattern = pattern.replace(/^\/+/, "");
  else if (!pattern.includes("/")) pattern = `**/${pattern}`;
  if (pattern.endsWith("/")) pattern = `${pattern}**`;
  if (pattern.startsWith("./")) pattern = pattern.slice(2);

  let source = "";
  let i = 0;
  while (i < pattern.length) {
    const rest = pattern.slice(i);
    const atSegmentStart = i === 0 || pattern[i - 1] === "/";
    if (rest.startsWith("**/") && atSegmentStart) {
      source += "(?:.*/)?";
      i += 3;
    } else if (rest === "**" && atSegmentStart) {
      source += ".*";
      i += 2;
    } else if (rest.startsWith("**")) {
      // `a**b` is not a whole segment: treat it like `*`.
      source += "[^/]*";
      i += 2;
    } else if (rest.startsWith("*")) {
      source += "[^/]*";
      i += 1;
    } else if (rest.startsWith("?")) {
      source += "[^/]";
      i += 1;
    } else {
      source += escapeRegExp(rest.charAt(0));
      i += 1;
    }
  }
  // `a/**` should also match the directory `a` itself.
  source = source.replace(/\/\.\*$/, "(?:/.*)?");
  return new RegExp(`^${source}$`, options.nocase === true ? "i" : "");
}

/** True when the repository-relative `path` matches `glob`. */
export function matchGlob(glob: string, path: string, options: GlobOptions = {}): boolean {
  return globToRegExp(glob, options).test(normalizeRelative(path));
}

/** `./a//b/` → `a/b`, backslashes to slashes: the form globs are matched against. */
export function normalizeRelative(path: string): string {
  return path
    .replace(/\\/g, "/")
    .replace(/\/{2,}/g, "/")
    .replace(/^(\.\/)+/, "")
    .replace(/\/$/, "");
}

function escapeRegExp(char: string): string {
  return /[.*+?^${}()|[\]\\]/.test(char) ? `\\${char}` : char;
}
