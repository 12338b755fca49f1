/**
 * A read-only, line-indexed view of a raw CI log that cleans lines lazily.
 *
 * Logs can be tens of megabytes; the distiller looks closely at a few thousand
 * lines. So the view indexes line offsets once (one linear scan) and cleans a
 * line only when asked: what a terminal would show after carriage returns, no
 * GitHub Actions timestamp, no ANSI escapes, no other control characters.
 */

export interface LogView {
  readonly raw: string;
  /** Number of lines (a trailing newline ends the last line; it does not add one). */
  readonly count: number;
  /** True when lines carry GitHub Actions' `2024-01-01T00:00:00.0000000Z ` prefix. */
  readonly timestamped: boolean;
  /** Offset in `raw` where line `i` starts. */
  start(i: number): number;
  /** Offset in `raw` just past line `i` (its newline excluded). */
  end(i: number): number;
  /** Line `i`, cleaned (see `cleanLine`); cached. */
  text(i: number): string;
  /** Char code of the first visible character of line `i` (after timestamp and escapes); -1 if none. */
  head(i: number): number;
  /** The line that contains offset `offset` of `raw`. */
  lineAt(offset: number): number;
}

const ESC = 0x1b;
// CSI sequences, OSC sequences (terminated by BEL or ST), and two-byte escapes
// (ESC = / ESC > keypad modes, ESC ( B charsets, ...). Matching control
// characters is the point of these three regexes.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~])/g;
// C0 controls other than tab, and DEL. (CR is handled before.)
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Removes ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return text.includes("\x1b") ? text.replace(ANSI, "") : text;
}

/** Length of a GitHub Actions timestamp prefix at `p` (including the space), or 0. */
function timestampLength(raw: string, p: number, end: number): number {
  // 2024-01-01T00:00:00.0000000Z<space>
  if (end - p < 21) return 0;
  if (raw.charCodeAt(p + 4) !== 0x2d || raw.charCodeAt(p + 7) !== 0x2d || raw.charCodeAt(p + 10) !== 0x54) return 0;
  for (const k of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]) {
    const c = raw.charCodeAt(p + k);
    if (c < 0x30 || c > 0x39) return 0;
  }
  if (raw.charCodeAt(p + 13) !== 0x3a || raw.charCodeAt(p + 16) !== 0x3a) return 0;
  let q = p + 19;
  if (raw.charCodeAt(q) === 0x2e) {
    q++;
    while (q < end && raw.charCodeAt(q) >= 0x30 && raw.charCodeAt(q) <= 0x39) q++;
  }
  if (raw.charCodeAt(q) !== 0x5a) return 0; // Z
  q++;
  if (q < end && raw.charCodeAt(q) === 0x20) q++;
  return q - p;
}

/**
 * Cleans one raw line: keeps what a terminal shows after the last carriage
 * return (progress bars), drops ANSI escapes and control characters.
 */
export function cleanLine(line: string): string {
  let s = line;
  if (s.includes("\r")) {
    s = s.replace(/\r+$/, "");
    const cr = s.lastIndexOf("\r");
    if (cr >= 0) s = s.slice(cr + 1);
  }
  s = stripAnsi(s);
  if (HAS_CONTROL.test(s)) s = s.replace(CONTROL, "");
  return s;
}

function indexStarts(raw: string): { starts: Uint32Array; count: number } {
  let starts = new Uint32Array(Math.max(16, (raw.length >> 6) + 2));
  let count = 0;
  let p = 0;
  for (;;) {
    if (count + 1 >= starts.length) {
      const grown = new Uint32Array(starts.length * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[count++] = p;
    const nl = raw.indexOf("\n", p);
    if (nl < 0 || nl === raw.length - 1) break;
    p = nl + 1;
  }
  // Sentinel: the start of a virtual line after the last one.
  starts[count] = raw.length + (raw.endsWith("\n") ? 0 : 1);
  return { starts, count };
}

function detectTimestamps(raw: string, starts: Uint32Array, count: number): boolean {
  let seen = 0;
  let stamped = 0;
  for (let i = 0; i < count && seen < 50; i++) {
    const s = starts[i] ?? 0;
    const e = (starts[i + 1] ?? raw.length + 1) - 1;
    if (e - s < 2) continue;
    seen++;
    const p = raw.charCodeAt(s) === 0xfeff ? s + 1 : s;
    if (timestampLength(raw, p, e) > 0) stamped++;
  }
  return seen > 0 && stamped * 10 >= seen * 6;
}

/** Indexes `raw` by line. O(n) in the log size, no per-line allocation. */
export function createLogView(raw: string): LogView {
  const { starts, count } = indexStarts(raw);
  const timestamped = detectTimestamps(raw, starts, count);
  const cache = new Map<number, string>();

  const start = (i: number): number => starts[i] ?? raw.length;
  const end = (i: number): number => Math.min(raw.length, (starts[i + 1] ?? raw.length + 1) - 1);

  /** Offset of line i's content after the BOM and timestamp. */
  const contentStart = (i: number): number => {
    let p = start(i);
    const e = end(i);
    if (i === 0 && raw.charCodeAt(p) === 0xfeff) p++;
    if (timestamped) p += timestampLength(raw, p, e);
    return p;
  };

  return {
    raw,
    count,
    timestamped,
    start,
    end,
    text(i) {
      const hit = cache.get(i);
      if (hit !== undefined) return hit;
      const s = cleanLine(raw.slice(contentStart(i), end(i)));
      cache.set(i, s);
      return s;
    },
    head(i) {
      let p = contentStart(i);
      const e = end(i);
      while (p < e && raw.charCodeAt(p) === ESC) {
        // Skip one escape sequence: ESC [ params final
        p++;
        if (raw.charCodeAt(p) === 0x5b) {
          p++;
          while (p < e) {
            const c = raw.charCodeAt(p++);
            if (c >= 0x40 && c <= 0x7e) break;
          }
        } else p++;
      }
      return p < e ? raw.charCodeAt(p) : -1;
    },
    lineAt(offset) {
      let lo = 0;
      let hi = count - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] ?? 0) <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    },
  };
}
