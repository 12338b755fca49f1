import type { ChangelogInput } from "../ecosystems/types.ts";
import { compareVersions, parseVersion } from "../semver.ts";
import { isPackageName } from "./npm-registry.ts";

const MAX_CHARS = 6_000;
const TIMEOUT_MS = 2 * 60_000;

/**
 * The package's own changelog between two versions, from its registry
 * tarball (`npm pack` into the sandbox's private /tmp; nothing is installed or
 * run). Best effort: "" when the package ships no changelog or the versions
 * are not in it. The text is the package author's: untrusted evidence.
 */
export async function fetchNpmChangelog(input: ChangelogInput): Promise<string> {
  if (!isPackageName(input.name) || !parseVersion(input.to)) return "";
  // Read straight out of the archive (`-O`): nothing is unpacked, no owner to restore.
  const script = [
    "d=$(mktemp -d)",
    `npm pack '${input.name}@${input.to}' --pack-destination "$d" --loglevel=error >/dev/null 2>&1 || exit 3`,
    't=$(ls "$d"/*.tgz | head -n1)',
    "c=$(tar -tzf \"$t\" | grep -iE '^[^/]+/(changelog|changes|history|releases)(\\.(md|markdown|txt))?$' | head -n1)",
    '[ -n "$c" ] && tar -xzOf "$t" "$c"',
  ].join("\n");
  const result = await input.sandbox.run(script, { network: true, cwd: input.cwd, timeoutMs: TIMEOUT_MS });
  if (result.exitCode !== 0) return "";
  return changelogBetween(result.output, input.from, input.to);
}

/**
 * The sections of a changelog for versions after `from` up to `to`, in the
 * file's order, capped. A section starts at a heading (`#…`, or a line
 * underlined with `===`/`---`) that names a version.
 */
export function changelogBetween(text: string, from: string, to: string): string {
  const low = parseVersion(from);
  const high = parseVersion(to);
  if (!low || !high) return "";
  const lines = text.split("\n");
  const headings: { line: number; version: ReturnType<typeof parseVersion> }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const isHeading = /^#{1,6}\s/.test(line) || (/^\S/.test(line) && /^(=|-){3,}\s*$/.test(lines[i + 1] ?? ""));
    const version = /(?:^|[^\d.])v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)(?![\d.])/.exec(line)?.[1];
    if (isHeading && version) headings.push({ line: i, version: parseVersion(version) });
  }
  const sections: string[] = [];
  for (const [index, heading] of headings.entries()) {
    const v = heading.version;
    if (!v || compareVersions(v, low) <= 0 || compareVersions(v, high) > 0) continue;
    const end = headings[index + 1]?.line ?? lines.length;
    sections.push(lines.slice(heading.line, end).join("\n").trim());
  }
  const joined = sections.join("\n\n");
  return joined.length > MAX_CHARS ? `${joined.slice(0, MAX_CHARS)}\n…` : joined;
}
