/**
 * Renders selected log lines in log order, compactly:
 * - a stretch of omitted lines becomes one `[... N lines omitted ...]` marker;
 * - a line repeated back to back becomes `[... previous line repeated N more times ...]`;
 * - lines that repeat one of the last few shown lines (the same stack frame
 *   or message for every file of a list) become `[... N lines repeated from above ...]`;
 * - runs of blank lines collapse to one; CI bookkeeping markers disappear.
 * A marker replaces lines only when it is shorter than them.
 */
import type { LogView } from "./clean-log.ts";
import { isMarkerLine } from "./split-steps.ts";
import { utf8Length } from "./utf8.ts";

/** How many recently shown lines a line may repeat to be folded. */
export const RECENT_WINDOW = 200;
/** The window of the quick estimate used for tails (`repeatsRecentLine`). */
const NEAR_WINDOW = 16;
const MAX_GAP_SCAN = 200;

const omitted = (n: number): string => `[... ${n} line${n === 1 ? "" : "s"} omitted ...]`;
const repeated = (n: number): string => `[... previous line repeated ${n} more time${n === 1 ? "" : "s"} ...]`;
const fromAbove = (n: number): string => `[... ${n} line${n === 1 ? "" : "s"} repeated from above ...]`;

/**
 * Whether line `i` repeats one of the lines just before it in the log, so that
 * it will fold when shown with them (the packer's size estimate).
 */
export function repeatsRecentLine(view: LogView, i: number): boolean {
  const t = view.text(i);
  if (t.trim() === "") return false;
  const length = view.end(i) - view.start(i);
  for (let j = i - 1; j >= Math.max(0, i - NEAR_WINDOW); j--) {
    // Equal raw lengths first: cheap, and spares cleaning lines nobody shows.
    if (view.end(j) - view.start(j) === length && view.text(j) === t) return true;
  }
  return false;
}

/** Lines in (a, b) a reader would miss: not blank, not CI markers. Approximate for long gaps. */
function gapSize(view: LogView, a: number, b: number): number {
  const n = b - a - 1;
  if (n <= 0) return 0;
  if (n > MAX_GAP_SCAN) return n;
  let count = 0;
  for (let j = a + 1; j < b; j++) {
    // The first visible character tells blank lines and most markers apart
    // without cleaning lines nobody will see.
    const h = view.head(j);
    if (h === -1 || h === 0x20 || h === 0x09) {
      if (view.text(j).trim() !== "") count++;
    } else if (h === 0x74 || h === 0x23 || h === 0x5b) {
      if (!isMarkerLine(view.text(j))) count++;
    } else count++;
  }
  return count;
}

export interface RenderedExcerpt {
  readonly text: string;
  readonly omittedLines: number;
  /** Lines of the log whose text appears in the excerpt. */
  readonly shown: number[];
}

/** Renders `lines` (sorted line numbers); `render(i)` is the display text of line `i`, null to skip it. */
export function renderExcerpt(view: LogView, lines: readonly number[], render: (i: number) => string | null): RenderedExcerpt {
  const out: string[] = [];
  const shown: number[] = [];
  const recent: string[] = [];
  let omittedLines = 0;
  let prev = -1;
  let pendingBlank = false;
  let last: string | undefined;
  let repeats = 0;
  let elided: string[] = [];

  const emitMany = (texts: readonly string[], marker: string): void => {
    const bytes = texts.reduce((s, t) => s + utf8Length(t) + 1, 0);
    if (bytes <= utf8Length(marker) + 1) out.push(...texts);
    else out.push(marker);
  };
  const flush = (): void => {
    if (repeats > 0 && last !== undefined) emitMany(Array<string>(repeats).fill(last), repeated(repeats));
    repeats = 0;
    if (elided.length > 0) emitMany(elided, fromAbove(elided.length));
    elided = [];
  };

  // Omitted stretches are announced lazily, so that stretches separated only
  // by blank lines merge into one marker.
  let pendingGap = 0;
  const announceGap = (): void => {
    if (pendingGap === 0) return;
    flush();
    pendingBlank = false;
    out.push(omitted(pendingGap));
    omittedLines += pendingGap;
    pendingGap = 0;
    last = undefined;
  };
  for (const i of lines) {
    const t = render(i);
    if (t === null) continue;
    pendingGap += gapSize(view, prev, i);
    prev = i;
    if (t.trim() === "") {
      pendingBlank = pendingGap === 0 && out.length > 0 && elided.length === 0;
      continue;
    }
    announceGap();
    if (t === last && elided.length === 0) {
      repeats++;
      pendingBlank = false;
      continue;
    }
    const seenAt = recent.indexOf(t);
    if (seenAt >= 0) {
      if (repeats > 0) flush();
      elided.push(t);
      pendingBlank = false;
      last = t;
      // Keep what keeps repeating in the window.
      recent.splice(seenAt, 1);
      recent.push(t);
      continue;
    }
    flush();
    if (pendingBlank) out.push("");
    pendingBlank = false;
    out.push(t);
    shown.push(i);
    last = t;
    recent.push(t);
    if (recent.length > RECENT_WINDOW) recent.shift();
  }
  flush();
  pendingGap += gapSize(view, prev, view.count);
  if (out.length > 0) announceGap();
  return { text: out.join("\n"), omittedLines, shown };
}
