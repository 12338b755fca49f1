/**
 * Splits a log into the steps of the job that produced it, so the distiller
 * can focus on the one that failed.
 *
 * - GitHub Actions: each step opens with `##[group]Run …`; a failing step ends
 *   with `##[error]Process completed with exit code N.`
 * - Travis CI: each command opens with `$ cmd` right after a `travis_time:start`
 *   marker and closes with `The command "cmd" exited with N.`
 * Lines outside any step (setup, cleanup) belong to none.
 */
import type { LogView } from "./clean-log.ts";

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
}

interface OpenStep {
  title: string;
  start: number;
  end: number;
  exitCode: number | undefined;
  exitLine: number | undefined;
  errorLine: number | undefined;
}

const HASH = 0x23;
const DOLLAR = 0x24;
const UPPER_T = 0x54;
const LOWER_T = 0x74;

const GH_EXIT = /^##\[error\]Process completed with exit code (\d+)/;
const TRAVIS_EXIT = /^The command "[\s\S]*" (?:exited|failed) with (\d+)\.?\s*$/;

/** Noise lines a reader never needs: CI bookkeeping markers. */
export function isMarkerLine(text: string): boolean {
  return (
    text.startsWith("travis_fold:") ||
    text.startsWith("travis_time:") ||
    text.startsWith("##[endgroup]") ||
    text.startsWith("[0K") // an escape whose ESC was lost
  );
}

/** Steps in log order. Linear in the number of lines; reads only line heads. */
export function splitSteps(view: LogView): LogStep[] {
  const ghRunGroups = view.raw.includes("##[group]Run ");
  const steps: OpenStep[] = [];
  let current: OpenStep | undefined;
  let afterTravisTime = false;

  const open = (title: string, line: number): void => {
    if (current) current.end = line;
    current = { title, start: line, end: view.count, exitCode: undefined, exitLine: undefined, errorLine: undefined };
    steps.push(current);
  };

  for (let i = 0; i < view.count; i++) {
    const h = view.head(i);
    const wasAfterTravisTime = afterTravisTime;
    afterTravisTime = false;
    if (h === HASH) {
      const t = view.text(i);
      if (t.startsWith("##[group]")) {
        const title = t.slice(9).trim();
        if (!ghRunGroups || title.startsWith("Run ")) open(title, i);
      } else if (t.startsWith("##[error]")) {
        if (!current) open("(job)", 0);
        if (current) current.errorLine ??= i;
        const m = GH_EXIT.exec(t);
        if (m) {
          if (current && current.exitCode === undefined) {
            current.exitCode = Number(m[1]);
            current.exitLine = i;
          }
        }
      }
    } else if (h === DOLLAR) {
      const t = view.text(i);
      if (t.startsWith("$ ") && wasAfterTravisTime) open(t.slice(2).trim(), i);
    } else if (h === UPPER_T) {
      const t = view.text(i);
      const m = t.startsWith("The command ") ? TRAVIS_EXIT.exec(t) : null;
      if (m && current && current.exitCode === undefined) {
        current.exitCode = Number(m[1]);
        current.exitLine = i;
        current.end = i + 1;
        current = undefined;
      }
    } else if (h === LOWER_T) {
      afterTravisTime = view.text(i).startsWith("travis_time:start");
    }
  }
  return steps;
}
