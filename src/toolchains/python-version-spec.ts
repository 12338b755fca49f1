/**
 * Which Python versions a request accepts. The forms CI and projects write:
 * setup-python's `python-version` (`3.11` is the newest 3.11.x, `3.11.7`
 * exactly, `3.x`, `>=3.9 <3.13`), PEP 440 specifiers from `requires-python`
 * (`>=3.8,<4`, `~=3.10`, `==3.11.*`, `!=3.9.0`), and Poetry's `^3.9` and `~3.9`.
 * Pre-releases, PyPy and GraalPy are not provided here.
 */

/** A final CPython release as three numbers. */
export type PythonVersion = readonly [number, number, number];

export type PythonSpec = { readonly ok: true; readonly accepts: (version: PythonVersion) => boolean } | { readonly ok: false; readonly reason: string };

const OPERATOR = /(~=|===|==|!=|<=|>=|<|>|\^|~)\s+/g;
const CLAUSE = /^(~=|===|==|!=|<=|>=|<|>|\^|~)?(\d+(?:\.\d+){0,2})(\.\*)?$/;
const PREFIX = /^(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/;

/** `3.11.7` → [3, 11, 7]; undefined for anything else. */
export function parsePythonVersion(text: string): PythonVersion | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  return match === null ? undefined : [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function compareVersions(a: PythonVersion, b: PythonVersion): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Reads a spec; a form it cannot serve (`pypy3.10`, `3.13-dev`, `latest`) gives the reason. */
export function parsePythonSpec(spec: string): PythonSpec {
  const text = spec.trim().replace(OPERATOR, "$1");
  if (text === "") return { ok: false, reason: "the version is empty" };
  if (/^(pypy|graalpy|pyston)/i.test(text)) return { ok: false, reason: `${spec} is not CPython; only CPython interpreters are provided` };
  if (/-dev$|[abc]\d*$|rc\d*$/i.test(text)) return { ok: false, reason: `${spec} is a pre-release; only final releases are provided` };
  const prefix = PREFIX.exec(text);
  if (prefix !== null) return { ok: true, accepts: prefixAccepts(prefix.slice(1)) };
  const tests: ((version: PythonVersion) => boolean)[] = [];
  for (const clause of text.split(/\s*,\s*|\s+/)) {
    const match = CLAUSE.exec(clause);
    if (match === null) return { ok: false, reason: `${spec} is not a version, prefix or range this worker understands (like 3.11, 3.11.7, >=3.9,<3.13)` };
    const test = clauseTest(match[1] ?? "", parts(match[2] ?? ""), match[3] !== undefined);
    if (test === undefined) return { ok: false, reason: `${clause} in ${spec} is not a valid specifier` };
    tests.push(test);
  }
  return { ok: true, accepts: (version) => tests.every((test) => test(version)) };
}

/**
 * The newest of `available` the spec accepts (setup-python: `3.11` is the
 * latest 3.11.x there is), or undefined.
 */
export function pickPythonVersion(spec: PythonSpec, available: readonly PythonVersion[]): PythonVersion | undefined {
  if (!spec.ok) return undefined;
  return [...available].sort(compareVersions).reverse().find((version) => spec.accepts(version));
}

export function formatVersion(version: PythonVersion): string {
  return version.join(".");
}

function parts(text: string): number[] {
  return text.split(".").map(Number);
}

function pad(numbers: readonly number[]): PythonVersion {
  return [numbers[0] ?? 0, numbers[1] ?? 0, numbers[2] ?? 0];
}

/** `3`, `3.11`, `3.x`: every version starting so; `3.11.7`: that one. */
function prefixAccepts(groups: readonly (string | undefined)[]): (version: PythonVersion) => boolean {
  const fixed = groups.filter((g): g is string => g !== undefined && /^\d+$/.test(g)).map(Number);
  return (version) => fixed.every((n, i) => version[i] === n);
}

function startsWith(version: PythonVersion, numbers: readonly number[]): boolean {
  return numbers.every((n, i) => version[i] === n);
}

function clauseTest(operator: string, numbers: number[], wildcard: boolean): ((version: PythonVersion) => boolean) | undefined {
  const bound = pad(numbers);
  const cmp = (version: PythonVersion): number => compareVersions(version, bound);
  if (wildcard) {
    if (operator === "==") return (version) => startsWith(version, numbers);
    if (operator === "!=") return (version) => !startsWith(version, numbers);
    return undefined;
  }
  switch (operator) {
    case "":
      return (version) => startsWith(version, numbers);
    case "==":
    case "===":
      return (version) => cmp(version) === 0;
    case "!=":
      return (version) => cmp(version) !== 0;
    case ">=":
      return (version) => cmp(version) >= 0;
    case "<=":
      return (version) => cmp(version) <= 0;
    case ">":
      return (version) => cmp(version) > 0;
    case "<":
      return (version) => cmp(version) < 0;
    case "~=":
      // PEP 440: ~=3.10 is >=3.10,==3.*; ~=3.10.2 is >=3.10.2,==3.10.*.
      if (numbers.length < 2) return undefined;
      return (version) => cmp(version) >= 0 && startsWith(version, numbers.slice(0, -1));
    case "^": {
      // Poetry: ^3.9 is >=3.9,<4; ^0.9 would be <0.10.
      const upper: PythonVersion = bound[0] > 0 ? [bound[0] + 1, 0, 0] : [0, bound[1] + 1, 0];
      return (version) => cmp(version) >= 0 && compareVersions(version, upper) < 0;
    }
    case "~":
      // Poetry: ~3.9 is >=3.9,<3.10; ~3 is >=3,<4.
      return (version) => cmp(version) >= 0 && startsWith(version, numbers.slice(0, Math.max(1, Math.min(2, numbers.length))));
    default:
      return undefined;
  }
}
