/**
 * Finds error blocks: an anchor line that matches a failure signature, the
 * header above it (the test name, the command) and its continuation below
 * (stack frames, indented detail, the paragraph it starts).
 */
import type { LogView } from "./clean-log.ts";
import { DEFAULT_RULES, type RuleSet } from "./distill-rules.ts";
import { isPassingLine, type Signature } from "./error-signatures.ts";
import type { Anchor } from "./find-anchors.ts";
import type { LineRange } from "./line-range.ts";
import { isMarkerLine } from "./split-steps.ts";

export interface ErrorBlock {
  /** First line of the block. */
  readonly start: number;
  /** One past the last line. */
  readonly end: number;
  /** The strongest anchor in the block (the first, on ties). */
  readonly anchor: number;
  readonly weight: number;
  readonly signature: string;
  /** The anchor's text with numbers, hex and quoted values masked: equal keys are repeats of one error. */
  readonly key: string;
}

// Re-exported for the modules that import it from here (choose-focus.ts); new code imports line-range.ts.

const isBlank = (t: string): boolean => t.trim() === "";
const indentOf = (t: string): number => {
  let n = 0;
  for (const ch of t) {
    if (ch === " ") n++;
    else if (ch === "\t") n += 4;
    else break;
  }
  return n;
};
// Stack frames, code frames, diff lines and `path:line:` locations continue a block across a blank line.
const FRAME =
  /^\s*(?:at\s|File "|from\s|#\d+\s|-->|\||\^|Caused by|\.\.\.|\+|-|During handling|The above exception)|^[\w./\\-]+:\d+(?::\d+)?:/;
const BANNER = /^\s*[=_*#~-]{5,}/;
/** Python prints chained exceptions as tracebacks joined by one of these lines. */
const CHAINED = /^\s*(?:During handling of the above exception|The above exception was the direct cause)/;
const TRACEBACK = /^\s*Traceback \(most recent call last\):/;

/** True when the lines after `line` alternate text and blank lines. */
function isDoubleSpaced(view: LogView, line: number, hi: number): boolean {
  if (line + 6 >= hi) return false;
  for (let k = 1; k <= 6; k++) {
    const blank = isBlank(view.text(line + k));
    if (blank !== (k % 2 === 1)) return false;
  }
  return true;
}

/** Maximum lines of one block. */
const MAX_BLOCK_LINES = 400;

/**
 * Where a report with a closing line ends: one past its last closing line,
 * when one comes before a step marker, a claimed line or the next report of
 * the same signature; undefined otherwise.
 */
function closingEnd(view: LogView, a: Anchor, hi: number, claimed: (line: number) => boolean): number | undefined {
  const { closing, pattern } = a.signature;
  if (!closing) return undefined;
  const last = Math.min(hi, a.line + 1 + MAX_BLOCK_LINES);
  for (let i = a.line + 1; i < last && !claimed(i); i++) {
    const t = view.text(i);
    if (closing.test(t)) {
      let end = i + 1;
      while (end < hi && !claimed(end) && closing.test(view.text(end))) end++;
      return end;
    }
    if (isMarkerLine(t) || pattern.test(t)) return undefined;
  }
  return undefined;
}

/** Characters of test runners' progress lines (`....F..S.`). */
const PROGRESS_MARKS = new Set([..." \t.SFEIRWDN"]);
const isUpper = (ch: string | undefined): boolean => ch !== undefined && ch >= "A" && ch <= "Z";

/**
 * `text` without the test runner's progress marks printed before a message
 * (`....F..PHP Fatal error: …`): they differ between repeats of one error.
 * Linear: one scan, then a step back to the last dot or space.
 */
function withoutProgress(text: string): string {
  let i = 0;
  let dots = 0;
  while (i < text.length && PROGRESS_MARKS.has(text.charAt(i))) if (text.charAt(i++) === ".") dots++;
  if (dots === 0) return text;
  if (!isUpper(text.charAt(i))) {
    // The scan ran into a word that starts with a mark letter (`..Error`): stop before it.
    while (i > 0 && text.charAt(i - 1) !== "." && text.charAt(i - 1) !== " ") i--;
  }
  return isUpper(text.charAt(i)) ? text.slice(i) : text;
}

/** The anchor's text with what varies between repeats of one error masked: numbers, hex, quoted values. */
function maskKey(text: string): string {
  return withoutProgress(text)
    .replace(/'[^'\n]{0,200}'|"[^"\n]{0,200}"|`[^`\n]{0,200}`/g, "*")
    .replace(/0x[0-9a-fA-F]+|\d+/g, "#")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 160);
}

/** Signatures that open a multi-line report (a test failure, a traceback, a crash). */
const REPORT_AFTER = 40;
const isReport = (s: Signature): boolean => s.section === true || (s.after ?? 0) >= REPORT_AFTER;

/**
 * What identifies a report for ranking repeats: its first and last lines. A
 * report often opens the same way every time (`Traceback (most recent call
 * last):`, `Failure:`) and ends with what went wrong.
 */
function reportKey(view: LogView, anchor: number, end: number): string {
  const head = maskKey(view.text(anchor));
  for (let i = end - 1; i > anchor; i--) {
    const t = view.text(i);
    if (!isBlank(t)) return `${head} | ${maskKey(t)}`;
  }
  return head;
}

/**
 * Grows anchors into blocks within `limits(anchor)` (its step), strongest
 * anchors first (earlier first on ties): an anchor inside a stronger block
 * belongs to it, and a block never grows into another one, so each block is
 * centred on the line that explains most.
 */
export function buildBlocks(
  view: LogView,
  anchors: readonly Anchor[],
  limits: (line: number) => LineRange,
  rules: RuleSet = DEFAULT_RULES,
): ErrorBlock[] {
  // Sections (whole failure reports) first, then by weight; earlier first on ties.
  const rank = (a: Anchor): number => (a.signature.section ? 100 : 0) + a.signature.weight;
  const order = [...anchors].sort((x, y) => rank(y) - rank(x) || x.line - y.line);
  /** Line → 1 + index in `blocks` of the block that holds it (0: none). */
  const owner = new Int32Array(view.count);
  const claimed = (line: number): boolean => (owner[line] ?? 0) > 0;
  const blocks: ErrorBlock[] = [];
  for (const a of order) {
    const holder = (owner[a.line] ?? 0) - 1;
    if (holder >= 0) {
      // The block already holding this anchor explains at least as much.
      const b = blocks[holder];
      if (b && b.weight < a.signature.weight) blocks[holder] = { ...b, weight: a.signature.weight };
      continue;
    }
    const { from: lo, to: hi } = limits(a.line);
    const anchorText = view.text(a.line);
    const anchorIndent = indentOf(anchorText);

    // Header: up to two lines of the same paragraph above the anchor; for an
    // indented anchor, the less indented line it belongs to (a test title).
    let start = a.line;
    for (let k = 1; rules.blockExtent && k <= 2 && a.line - k >= lo && !claimed(a.line - k); k++) {
      const t = view.text(a.line - k);
      if (isBlank(t) || isMarkerLine(t) || isPassingLine(t)) break;
      start = a.line - k;
    }
    if (rules.blockExtent && anchorIndent > 0) {
      for (let j = start - 1; j >= Math.max(lo, a.line - 8) && !claimed(j); j--) {
        const t = view.text(j);
        if (isMarkerLine(t)) break;
        if (isBlank(t)) continue;
        if (indentOf(t) < anchorIndent) {
          start = j;
          break;
        }
      }
    }

    // Continuation: the rest of the paragraph, then across blank lines while
    // lines stay indented deeper than the anchor or look like frames. Output
    // printed double-spaced (a blank after every line) counts single blanks
    // as plain line breaks. A section runs to the next section or banner.
    const doubleSpaced = rules.blockExtent && isDoubleSpaced(view, a.line, hi);
    const section = a.signature.section === true;
    let end = a.line + 1;
    let blanks = 0;
    const maxAfter = (a.signature.after ?? 10) * (doubleSpaced ? 2 : 1);
    let chained = false;
    const closed = rules.blockExtent ? closingEnd(view, a, hi, claimed) : undefined;
    if (closed !== undefined) end = closed;
    for (let i = a.line + 1; closed === undefined && i < hi && i <= a.line + maxAfter && !claimed(i); i++) {
      const t = view.text(i);
      if (isMarkerLine(t)) break;
      if (isBlank(t)) {
        if (++blanks > (section ? 3 : 2)) break;
        continue;
      }
      if (isPassingLine(t)) break;
      if (section) {
        if (a.signature.pattern.test(t) || BANNER.test(t)) break;
      } else {
        const gapped = doubleSpaced ? blanks > 1 : blanks > 0;
        if (gapped && !(indentOf(t) > anchorIndent || FRAME.test(t) || (chained && TRACEBACK.test(t)))) break;
      }
      chained = rules.blockExtent && CHAINED.test(t);
      end = i + 1;
      blanks = 0;
    }
    if (end - start > MAX_BLOCK_LINES) end = Math.max(a.line + 1, start + MAX_BLOCK_LINES);
    owner.fill(blocks.length + 1, start, end);
    blocks.push({
      start,
      end,
      anchor: a.line,
      weight: a.signature.weight,
      signature: a.signature.id,
      key: rules.repeats && isReport(a.signature) ? reportKey(view, a.line, end) : maskKey(anchorText),
    });
  }
  return blocks.sort((x, y) => x.start - y.start);
}
