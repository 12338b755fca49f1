/**
 * Finds error blocks: an anchor line that matches a failure signature, the
 * header above it (the test name, the command) and its continuation below
 * (stack frames, indented detail, the paragraph it starts).
 */
import type { LogView } from "./clean-log.ts";
import { PASSING, STRONG_TRIGGER, TRIGGER_SYMBOLS, WEAK_TRIGGER, classifyLine, type Signature } from "./error-signatures.ts";
import { isMarkerLine } from "./split-steps.ts";

export interface Anchor {
  readonly line: number;
  readonly signature: Signature;
}

export interface ErrorBlock {
  /** First line of the block. */
  readonly start: number;
  /** One past the last line. */
  readonly end: number;
  /** The strongest anchor in the block (the first, on ties). */
  readonly anchor: number;
  readonly weight: number;
  readonly signature: string;
  /** The anchor's text with numbers and hex masked: equal keys are repeats of one error. */
  readonly key: string;
}

export interface LineRange {
  readonly from: number;
  /** Exclusive. */
  readonly to: number;
}

/** Where to look for anchors: a line range and how much of it to scan. */
export interface AnchorScan {
  readonly range: LineRange;
  /** Scan only this many bytes at the start and at the end of the range (Infinity: all of it). */
  readonly edgeBytes: number;
  /** Weak triggers: only this many bytes at the start / at the end. */
  readonly weakHeadBytes: number;
  readonly weakTailBytes: number;
  /** Classify at most this many candidate lines (the first and the last halves). */
  readonly maxClassified: number;
}

type Window = readonly [number, number];

function edges(from: number, to: number, head: number, tail: number): Window[] {
  if (to - from <= head + tail) return [[from, to]];
  return [
    [from, from + head],
    [to - tail, to],
  ];
}

/**
 * Offsets of trigger matches in `raw[from, to)`, at most one per line per
 * trigger. The window is sliced first so that no search runs past its end
 * (a rare symbol searched in the whole log for each of many windows would be
 * quadratic).
 */
function scanWindow(raw: string, from: number, to: number, weak: boolean, out: number[]): void {
  if (to <= from) return;
  const text = raw.slice(from, to);
  for (const trigger of weak ? [WEAK_TRIGGER] : [STRONG_TRIGGER]) {
    trigger.lastIndex = 0;
    for (;;) {
      const m = trigger.exec(text);
      if (!m) break;
      // A trigger may start with the newline before its line.
      const at = text.charCodeAt(m.index) === 0x0a ? m.index + 1 : m.index;
      out.push(from + at);
      const nl = text.indexOf("\n", at);
      if (nl < 0) break;
      trigger.lastIndex = nl + 1;
    }
  }
  if (weak) return;
  for (const symbol of TRIGGER_SYMBOLS) {
    for (let i = text.indexOf(symbol); i >= 0; i = text.indexOf(symbol, i + 1)) out.push(from + i);
  }
}

/**
 * Lines that match a signature. The raw text is scanned for trigger words
 * (see `STRONG_TRIGGER`); only lines with a trigger are cleaned and classified.
 */
export function findAnchors(view: LogView, scans: readonly AnchorScan[]): Anchor[] {
  const anchors: Anchor[] = [];
  for (const { range, edgeBytes, weakHeadBytes, weakTailBytes, maxClassified } of scans) {
    if (range.to <= range.from) continue;
    const from = view.start(range.from);
    const to = view.end(range.to - 1);
    const offsets: number[] = [];
    const outer = edges(from, to, edgeBytes, edgeBytes);
    for (const [a, b] of outer) {
      scanWindow(view.raw, a, b, false, offsets);
      if (weakHeadBytes + weakTailBytes > 0) {
        for (const [c, d] of edges(a, b, weakHeadBytes, weakTailBytes)) scanWindow(view.raw, c, d, true, offsets);
      }
    }
    // Typed arrays sort numerically, without a comparator call per pair.
    const sorted = Float64Array.from(offsets).sort();
    const lines: number[] = [];
    let line = range.from;
    for (const off of sorted) {
      if (view.start(line + 1) <= off) line = view.lineAt(off);
      if (lines.at(-1) !== line && line < range.to) lines.push(line);
    }
    const chosen =
      lines.length <= maxClassified
        ? lines
        : [...lines.slice(0, maxClassified >> 1), ...lines.slice(lines.length - (maxClassified - (maxClassified >> 1)))];
    for (const l of chosen) {
      const signature = classifyLine(view.text(l));
      if (signature) anchors.push({ line: l, signature });
    }
  }
  return anchors.sort((a, b) => a.line - b.line);
}

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
const FRAME = /^\s*(?:at\s|File "|from\s|#\d+\s|-->|\||\^|Caused by|\.\.\.|\+|-)/;
const BANNER = /^\s*(?:[=_*#~-]\s?){5,}/;

/** True when the lines after `line` alternate text and blank lines. */
function isDoubleSpaced(view: LogView, line: number, hi: number): boolean {
  if (line + 6 >= hi) return false;
  for (let k = 1; k <= 6; k++) {
    const blank = isBlank(view.text(line + k));
    if (blank !== (k % 2 === 1)) return false;
  }
  return true;
}

/** Maximum lines of one merged block; longer runs start a new block. */
const MAX_BLOCK_LINES = 60;

function maskKey(text: string): string {
  return text
    .replace(/0x[0-9a-fA-F]+|\d+/g, "#")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 160);
}

/**
 * Grows each anchor into a block within `limits(anchor)` (its step), then merges
 * overlapping blocks, keeping each merged block under `MAX_BLOCK_LINES` lines.
 */
export function buildBlocks(view: LogView, anchors: readonly Anchor[], limits: (line: number) => LineRange): ErrorBlock[] {
  const raw: ErrorBlock[] = [];
  for (const a of anchors) {
    const { from: lo, to: hi } = limits(a.line);
    const anchorText = view.text(a.line);
    const anchorIndent = indentOf(anchorText);

    // Header: up to two lines of the same paragraph above the anchor; for an
    // indented anchor, the less indented line it belongs to (a test title).
    let start = a.line;
    for (let k = 1; k <= 2 && a.line - k >= lo; k++) {
      const t = view.text(a.line - k);
      if (isBlank(t) || isMarkerLine(t)) break;
      start = a.line - k;
    }
    if (anchorIndent > 0) {
      for (let j = start - 1; j >= Math.max(lo, a.line - 8); j--) {
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
    // as plain line breaks.
    const doubleSpaced = isDoubleSpaced(view, a.line, hi);
    const section = a.signature.section === true;
    let end = a.line + 1;
    let blanks = 0;
    const maxAfter = (a.signature.after ?? 10) * (doubleSpaced ? 2 : 1);
    for (let i = a.line + 1; i < hi && i <= a.line + maxAfter; i++) {
      const t = view.text(i);
      if (isMarkerLine(t)) break;
      if (isBlank(t)) {
        if (++blanks > (section ? 3 : 2)) break;
        continue;
      }
      if (PASSING.test(t)) break;
      if (section) {
        if (a.signature.pattern.test(t) || BANNER.test(t)) break;
      } else {
        const gapped = doubleSpaced ? blanks > 1 : blanks > 0;
        if (gapped && !(indentOf(t) > anchorIndent || FRAME.test(t))) break;
      }
      end = i + 1;
      blanks = 0;
    }
    raw.push({
      start,
      end,
      anchor: a.line,
      weight: a.signature.weight,
      signature: a.signature.id,
      key: "",
    });
  }

  raw.sort((x, y) => x.start - y.start || x.anchor - y.anchor);
  const merged: ErrorBlock[] = [];
  for (const b of raw) {
    const last = merged.at(-1);
    if (last && b.start <= last.end && Math.max(last.end, b.end) - last.start <= MAX_BLOCK_LINES) {
      const stronger = b.weight > last.weight;
      merged[merged.length - 1] = {
        start: last.start,
        end: Math.max(last.end, b.end),
        anchor: stronger ? b.anchor : last.anchor,
        weight: Math.max(last.weight, b.weight),
        signature: stronger ? b.signature : last.signature,
        key: stronger ? b.key : last.key,
      };
    } else if (last && b.start < last.end) {
      // Too long to merge: the new block starts where the previous one ends.
      if (b.end > last.end) merged.push({ ...b, start: last.end });
    } else merged.push(b);
  }
  return merged.map((b) => ({ ...b, key: maskKey(view.text(b.anchor)) }));
}
