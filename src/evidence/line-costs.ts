/**
 * What lines cost in an excerpt: their display text (long lines shortened,
 * progress output shortened harder) and what folding repeats will save.
 */
import type { LogView } from "./clean-log.ts";
import { RECENT_WINDOW } from "./render-excerpt.ts";
import { isMarkerLine } from "./split-steps.ts";
import { shortenLine, utf8Length } from "./utf8.ts";

/** Estimated size of a fold marker; the exact size is checked after rendering. */
export const FOLD_COST = 40;

export interface LineRenderer {
  /** Display text of line i (shortened to its cap), null for CI markers. */
  line(i: number): string | null;
  /** Bytes line i costs in the excerpt, newline included (cached). */
  size(i: number): number;
}

export function createLineRenderer(view: LogView, lineCap: (line: number) => number): LineRenderer {
  const sizes = new Map<number, number>();
  const shown = new Map<number, string | null>();
  const line = (i: number): string | null => {
    let out = shown.get(i);
    if (out !== undefined) return out;
    const t = view.text(i);
    if (isMarkerLine(t)) out = null;
    else {
      const text = t.trimEnd();
      out = shortenLine(text, isProgressLine(text) ? PROGRESS_LINE_CAP : lineCap(i));
    }
    shown.set(i, out);
    return out;
  };
  return {
    line,
    size(i) {
      let s = sizes.get(i);
      if (s === undefined) {
        const t = line(i);
        s = t === null ? 0 : utf8Length(t) + 1;
        sizes.set(i, s);
      }
      return s;
    },
  };
}

/**
 * Tracks the chosen lines by text, to estimate what folding will save: a line
 * whose text was chosen within the last `RECENT_WINDOW` lines before it will be
 * rendered as part of a "repeated" marker. (The renderer folds against the
 * last lines it showed, a superset of these, so the estimate is conservative.)
 */
export function createFoldIndex(view: LogView) {
  const byText = new Map<string, number[]>();
  const key = (i: number): string | undefined => {
    const t = view.text(i);
    return t.trim() === "" ? undefined : t;
  };
  return {
    add(i: number): void {
      const k = key(i);
      if (k === undefined) return;
      const list = byText.get(k);
      if (list) list.push(i);
      else byText.set(k, [i]);
    },
    /** Whether line i repeats a chosen line (or one of `pending`) within the window before it. */
    folds(i: number, pending: ReadonlySet<string>): boolean {
      const k = key(i);
      if (k === undefined) return false;
      if (pending.has(k)) return true;
      const list = byText.get(k);
      if (!list) return false;
      for (const j of list) if (j < i && j >= i - RECENT_WINDOW) return true;
      return false;
    },
    clear(): void {
      byText.clear();
    },
  };
}

/** Progress output (`....F..S...`, `#####`) says little per byte: it gets a short cap. */
const PROGRESS_LINE_CAP = 160;

function isProgressLine(text: string): boolean {
  if (text.length <= PROGRESS_LINE_CAP) return false;
  const seen = new Set<string>();
  for (let i = 0; i < 200 && i < text.length; i++) {
    seen.add(text[i] ?? "");
    if (seen.size > 5) return false;
  }
  return true;
}
