/**
 * The slice of semantic versioning the advisory job needs, without a
 * dependency: parse and order versions, and test them against npm ranges
 * (`^1.2.3`, `~1.2`, `1.x`, `>=1 <2`, `1.2.3 - 2`, `a || b`) and GitHub's
 * advisory ranges (`>= 1.0.0, < 1.2.6`: a comma is an AND). Prereleases
 * follow npm: a prerelease satisfies a range only when a comparator of the
 * same set names a prerelease of the same `major.minor.patch`.
 */

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Dot-separated prerelease identifiers (`["beta", 2]`); empty for a release. */
  readonly prerelease: readonly (string | number)[];
}

type Op = "<" | "<=" | ">" | ">=" | "=";
interface Comparator {
  readonly op: Op;
  readonly version: Version;
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** A full `major.minor.patch[-pre][+build]` version, or null. */
export function parseVersion(text: string): Version | null {
  const m = VERSION.exec(text.trim());
  if (!m) return null;
  const prerelease = m[4] ? m[4].split(".").map((id) => (/^\d+$/.test(id) ? Number(id) : id)) : [];
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease };
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease.length ? `-${v.prerelease.join(".")}` : ""}`;
}

/** Negative when a < b, 0 when equal (build metadata ignored), positive when a > b. */
export function compareVersions(a: Version, b: Version): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return Math.sign(x - y);
    if (typeof x === "number") return -1;
    if (typeof y === "number") return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Sorts version strings ascending; strings that are not versions are dropped. */
export function sortVersions(versions: readonly string[]): string[] {
  return versions
    .map((text) => ({ text, v: parseVersion(text) }))
    .filter((e): e is { text: string; v: Version } => e.v !== null)
    .sort((a, b) => compareVersions(a.v, b.v))
    .map((e) => e.text);
}

/** Whether `version` is in `range`; false for anything that does not parse. */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  const sets = parseRange(range);
  if (!v || !sets) return false;
  return sets.some((set) => set.every((c) => test(v, c)) && prereleaseAllowed(v, set));
}

/** Whether `range` is one this module understands (npm or GitHub advisory syntax). */
export function isValidRange(range: string): boolean {
  return parseRange(range) !== null;
}

function test(v: Version, c: Comparator): boolean {
  const d = compareVersions(v, c.version);
  switch (c.op) {
    case "<":
      return d < 0;
    case "<=":
      return d <= 0;
    case ">":
      return d > 0;
    case ">=":
      return d >= 0;
    case "=":
      return d === 0;
  }
}

function prereleaseAllowed(v: Version, set: readonly Comparator[]): boolean {
  if (v.prerelease.length === 0) return true;
  return set.some(
    (c) => c.version.prerelease.length > 0 && c.version.major === v.major && c.version.minor === v.minor && c.version.patch === v.patch,
  );
}

/** `||` alternatives, each a list of comparators that must all hold; null when malformed. */
function parseRange(range: string): Comparator[][] | null {
  const sets: Comparator[][] = [];
  for (const alternative of range.split("||")) {
    const text = alternative.replace(/,/g, " ").trim();
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    if (hyphen) {
      const low = partial(hyphen[1]!);
      const high = partial(hyphen[2]!);
      if (!low || !high) return null;
      sets.push([...desugar(">=", low), ...desugar("<=", high)]);
      continue;
    }
    // `>= 1.0.0` and `>=1.0.0` both occur: glue an operator to its version.
    const tokens = text.replace(/(<=|>=|<|>|=|\^|~>?)\s+/g, "$1").split(/\s+/).filter(Boolean);
    const set: Comparator[] = [];
    for (const token of tokens.length ? tokens : ["*"]) {
      const m = /^(<=|>=|<|>|=|\^|~>?)?(.*)$/.exec(token)!;
      const p = partial(m[2]!);
      if (!p) return null;
      set.push(...desugar((m[1] ?? "") as Sugar, p));
    }
    sets.push(set);
  }
  return sets;
}

type Sugar = Op | "" | "^" | "~" | "~>";
/** A possibly partial version: `1`, `1.2`, `1.x`, `*`; missing parts are null. */
interface Partial {
  major: number | null;
  minor: number | null;
  patch: number | null;
  prerelease: (string | number)[];
}

function partial(text: string): Partial | null {
  if (text === "" || text === "*" || /^[xX]$/.test(text)) return { major: null, minor: null, patch: null, prerelease: [] };
  const m = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text);
  if (!m) return null;
  const num = (s: string | undefined) => (s === undefined || /^[xX*]$/.test(s) ? null : Number(s));
  const major = num(m[1]);
  const minor = major === null ? null : num(m[2]);
  const patch = minor === null ? null : num(m[3]);
  const prerelease = patch !== null && m[4] ? m[4].split(".").map((id) => (/^\d+$/.test(id) ? Number(id) : id)) : [];
  return { major, minor, patch, prerelease };
}

const v = (major: number, minor: number, patch: number, prerelease: (string | number)[] = []): Version => ({ major, minor, patch, prerelease });
/** The smallest version of the next release line: `<2.0.0-0` excludes 2.0.0's prereleases too. */
const below = (major: number, minor: number, patch: number): Comparator => ({ op: "<", version: v(major, minor, patch, [0]) });

function desugar(op: Sugar, p: Partial): Comparator[] {
  const { major, minor, patch, prerelease } = p;
  if (major === null) return op === "<" || op === ">" ? [{ op: "<", version: v(0, 0, 0, [0]) }] : [];
  const low = v(major, minor ?? 0, patch ?? 0, prerelease);
  switch (op) {
    case "":
    case "=":
      if (minor === null) return [{ op: ">=", version: low }, below(major + 1, 0, 0)];
      if (patch === null) return [{ op: ">=", version: low }, below(major, minor + 1, 0)];
      return [{ op: "=", version: low }];
    case "^":
      if (major > 0 || minor === null) return [{ op: ">=", version: low }, below(major + 1, 0, 0)];
      if (minor > 0 || patch === null) return [{ op: ">=", version: low }, below(0, minor + 1, 0)];
      return [{ op: ">=", version: low }, below(0, 0, patch + 1)];
    case "~":
    case "~>":
      if (minor === null) return [{ op: ">=", version: low }, below(major + 1, 0, 0)];
      return [{ op: ">=", version: low }, below(major, minor + 1, 0)];
    case ">=":
      return [{ op: ">=", version: low }];
    case "<":
      return [{ op: "<", version: patch === null ? v(major, minor ?? 0, 0, [0]) : low }];
    case ">":
      if (minor === null) return [{ op: ">=", version: v(major + 1, 0, 0) }];
      if (patch === null) return [{ op: ">=", version: v(major, minor + 1, 0) }];
      return [{ op: ">", version: low }];
    case "<=":
      if (minor === null) return [below(major + 1, 0, 0)];
      if (patch === null) return [below(major, minor + 1, 0)];
      return [{ op: "<=", version: low }];
  }
}
