/**
 * Splits a log into the steps of the job that produced it, so the distiller
 * can focus on the one that failed.
 *
 * - GitHub Actions: each step opens with `##[group]Run …`; a failing step ends
 *   with `##[error]Process completed with exit code N.`
 * - Travis CI: each command opens with `$ cmd` right after a `travis_time:start`
 *   marker and closes with `The command "cmd" exited with N.` (or, under
 *   `travis_retry`, `The command "cmd" failed 3 times.`)
 * Lines outside any step (setup, cleanup) belong to none.
 */
import type { LogView } from "./clean-log.ts";
import { DEFAULT_RULES, type RuleSet } from "./distill-rules.ts";

export interface LogStep {
  /** `Run npm test`, or the command of a Travis step. */
  readonly title: string;
  /** The header line. */
  readonly start: number;
  /** One past the step's last line. */
  readonly end: number;
  /** The exit code the log reports for the step, when it reports one. */
  readonly exitCode: number | undefined;
  /** The line that reports the exit code. */
  readonly exitLine: number | undefined;
  /** First `##[error]` annotation in the step (GitHub Actions), if any. */
  readonly errorLine: number | undefined;
  /** The Travis fold the step runs in (`install`, `after_failure`, ...), if any. */
  readonly phase: string | undefined;
}

interface OpenStep {
  title: string;
  start: number;
  end: number;
  exitCode: number | undefined;
  exitLine: number | undefined;
  errorLine: number | undefined;
  phase: string | undefined;
}


const GH_EXIT = /^##\[error\]Process completed with exit code (\d+)/;
const TRAVIS_EXIT = /^The command "[\s\S]*" (?:exited|failed) with (\d+)\.?\s*$/;
// The end of the message of a multi-line command.
const TRAVIS_EXIT_END = /^" (?:exited|failed) with (\d+)\.?\s*$/;
// travis_retry gives up on a command with its own message (and the command's exit code, not printed).
const TRAVIS_RETRY_EXIT = /^The command "[\s\S]*" failed \d+ times\.?\s*$/;
const TRAVIS_FOLD = /^travis_fold:(start|end):([\w-]+?)(?:\.\d+)?$/;

/** Noise lines a reader never needs: CI bookkeeping markers. */
export function isMarkerLine(text: string): boolean {
  return (
    text.startsWith("travis_fold:") ||
    text.startsWith("travis_time:") ||
    text.startsWith("##[endgroup]") ||
    text.startsWith("[0K") // an escape whose ESC was lost
  );
}

const ESC = 0x1b;
/** First characters of the lines that carry Travis structure: `travis_…`, `The command …`, `" exited …`, `$ cmd`. */
const TRAVIS_HEADS = new Set([0x74, 0x54, 0x22, 0x24]);

/**
 * Lines that may carry step structure, in order, found without reading every
 * line: GitHub Actions markers by searching for `##[`, Travis ones by the
 * first character of each line (escape sequences skipped only where present).
 */
function markerLines(view: LogView): number[] {
  const github: number[] = [];
  for (let at = view.raw.indexOf("##["); at >= 0; ) {
    const line = view.lineAt(at);
    github.push(line);
    at = view.raw.indexOf("##[", view.end(line) + 1);
  }
  // Timestamped lines all start with a digit: only GitHub markers there.
  if (view.timestamped) return github;
  const found: number[] = [];
  let g = 0;
  for (let i = 0; i < view.count; i++) {
    let c = view.raw.charCodeAt(view.start(i));
    if (c === ESC) c = view.head(i);
    while (g < github.length && (github[g] ?? 0) < i) found.push(github[g++] ?? 0);
    if (github[g] === i) {
      found.push(i);
      g++;
    } else if (TRAVIS_HEADS.has(c)) found.push(i);
  }
  while (g < github.length) found.push(github[g++] ?? 0);
  return found;
}

/** Steps in log order. Reads only the lines that carry markers. */
export function splitSteps(view: LogView, rules: RuleSet = DEFAULT_RULES): LogStep[] {
  const ghRunGroups = view.raw.includes("##[group]Run ");
  const steps: OpenStep[] = [];
  let current: OpenStep | undefined;
  let travisTimeLine = -2;
  let fold: string | undefined;

  const open = (title: string, line: number): void => {
    if (current) current.end = line;
    current = { title, start: line, end: view.count, exitCode: undefined, exitLine: undefined, errorLine: undefined, phase: fold };
    steps.push(current);
  };

  for (const i of markerLines(view)) {
    const t = view.text(i);
    if (t.startsWith("##[group]")) {
      const title = t.slice(9).trim();
      if (!ghRunGroups || title.startsWith("Run ")) open(title, i);
    } else if (t.startsWith("##[error]")) {
      if (!current) open("(job)", 0);
      if (current) current.errorLine ??= i;
      const m = GH_EXIT.exec(t);
      if (m && current && current.exitCode === undefined) {
        current.exitCode = Number(m[1]);
        current.exitLine = i;
      }
    } else if (t.startsWith("$ ")) {
      if (travisTimeLine === i - 1) open(t.slice(2).trim(), i);
    } else if (t.startsWith("The command ") || t.startsWith('" ')) {
      const m = t.startsWith('" ') ? TRAVIS_EXIT_END.exec(t) : TRAVIS_EXIT.exec(t);
      const gaveUp = !m && rules.stepOutcome && TRAVIS_RETRY_EXIT.test(t);
      if ((m || gaveUp) && current && current.exitCode === undefined) {
        current.exitCode = m ? Number(m[1]) : 1;
        current.exitLine = i;
        current.end = i + 1;
        current = undefined;
      }
    } else if (t.startsWith("travis_time:start")) {
      travisTimeLine = i;
    } else if (t.startsWith("travis_fold:")) {
      const m = TRAVIS_FOLD.exec(t);
      if (m) fold = m[1] === "start" ? m[2] : undefined;
    }
  }
  return steps;
}
