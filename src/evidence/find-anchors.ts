/**
 * Finds anchor lines: lines that match a failure signature. The raw log is
 * scanned for trigger words first (linear, no line is cleaned); only lines
 * with a trigger are cleaned and classified.
 */
import type { LogView } from "./clean-log.ts";
import { DEFAULT_RULES, type RuleSet } from "./distill-rules.ts";
import { MARKER_TRIGGER, STRONG_TRIGGER, TRIGGER_SYMBOLS, WEAK_TRIGGER, classifyLine, type Signature } from "./error-signatures.ts";
import type { LineRange } from "./line-range.ts";

export interface Anchor {
  readonly line: number;
  readonly signature: Signature;
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
  for (const trigger of weak ? [WEAK_TRIGGER] : [STRONG_TRIGGER, MARKER_TRIGGER]) {
    trigger.lastIndex = 0;
    for (;;) {
      const m = trigger.exec(text);
      if (!m) break;
      out.push(from + m.index);
      const nl = text.indexOf("\n", m.index);
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
export function findAnchors(view: LogView, scans: readonly AnchorScan[], rules: RuleSet = DEFAULT_RULES): Anchor[] {
  const anchors: Anchor[] = [];
  const seen = new Map<string, Signature | null>();
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
      // Logs repeat themselves: classify each distinct text once.
      const text = view.text(l);
      let signature = seen.get(text);
      if (signature === undefined) {
        signature = classifyLine(text, rules) ?? null;
        seen.set(text, signature);
      }
      if (signature) anchors.push({ line: l, signature });
    }
  }
  return anchors.sort((a, b) => a.line - b.line);
}
