/**
 * UTF-8 byte arithmetic for the excerpt budget. The budget is in bytes because
 * that is what a prompt costs and what the scorer measures; JavaScript strings
 * count UTF-16 code units, so every size decision goes through here.
 */

/** Bytes of `text` once encoded as UTF-8 (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function unitBytes(text: string, i: number): { bytes: number; units: number } {
  const c = text.charCodeAt(i);
  if (c < 0x80) return { bytes: 1, units: 1 };
  if (c < 0x800) return { bytes: 2, units: 1 };
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return { bytes: 4, units: 2 };
  }
  return { bytes: 3, units: 1 };
}

/** The longest prefix of `text` that fits in `maxBytes`, never splitting a surrogate pair. */
export function utf8Head(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return "";
  if (text.length * 3 <= maxBytes) return text;
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const step = unitBytes(text, i);
    if (bytes + step.bytes > maxBytes) break;
    bytes += step.bytes;
    i += step.units;
  }
  return text.slice(0, i);
}

/** The longest suffix of `text` that fits in `maxBytes`, never splitting a surrogate pair. */
export function utf8Tail(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return "";
  if (text.length * 3 <= maxBytes) return text;
  let bytes = 0;
  let i = text.length;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    let units = 1;
    let size: number;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xdc00 && c <= 0xdfff && i >= 2) {
      const h = text.charCodeAt(i - 2);
      if (h >= 0xd800 && h <= 0xdbff) {
        size = 4;
        units = 2;
      } else size = 3;
    } else size = 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i -= units;
  }
  return text.slice(i);
}

/**
 * Shortens one over-long line to at most `maxBytes`, keeping its head and tail
 * (the tail of a long line is often the verdict: "... expected 2, got 3").
 */
export function shortenLine(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  const marker = " [...] ";
  if (maxBytes < 4 * marker.length) return utf8Head(text, maxBytes);
  const room = maxBytes - marker.length;
  const head = utf8Head(text, Math.ceil(room * 0.6));
  const tail = utf8Tail(text, room - utf8Length(head));
  return head + marker + tail;
}
