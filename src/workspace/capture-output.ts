/**
 * Bounded capture of a process's output. Build and test logs can be huge;
 * the useful parts are the beginning (what ran) and the end (what failed), so
 * we keep a head and a tail and drop the middle with a visible marker.
 */

export interface CapturedOutput {
  readonly output: string;
  readonly truncated: boolean;
  /** Total bytes the process wrote, kept or not. */
  readonly totalBytes: number;
}

export interface OutputCapture {
  write(chunk: Buffer): void;
  finish(): CapturedOutput;
}

/** The marker put where the middle of an over-long output was dropped. */
export function truncationMarker(droppedBytes: number): string {
  return `\n[... ${droppedBytes} bytes truncated ...]\n`;
}

/**
 * Collects chunks keeping at most `limitBytes` (half head, half tail).
 * Decoding happens once at the end with replacement characters, so binary or
 * invalid UTF-8 output never throws.
 */
export function createOutputCapture(limitBytes: number): OutputCapture {
  const headLimit = Math.ceil(limitBytes / 2);
  const tailLimit = limitBytes - headLimit;
  const head: Buffer[] = [];
  let headBytes = 0;
  // The tail is a queue of chunks trimmed from the front as new bytes arrive.
  let tail: Buffer[] = [];
  let tailBytes = 0;
  let totalBytes = 0;

  return {
    write(chunk) {
      totalBytes += chunk.length;
      let rest = chunk;
      if (headBytes < headLimit) {
        const take = rest.subarray(0, headLimit - headBytes);
        head.push(take);
        headBytes += take.length;
        rest = rest.subarray(take.length);
      }
      if (rest.length === 0 || tailLimit === 0) return;
      tail.push(rest);
      tailBytes += rest.length;
      // Compact only once the queue holds twice the limit: amortised O(n) copying.
      if (tailBytes > tailLimit * 2) {
        const kept = trimFront(tail, tailBytes, tailLimit);
        tail = [kept];
        tailBytes = kept.length;
      }
    },
    finish() {
      const tailBuffer = trimFront(tail, tailBytes, tailLimit);
      const dropped = totalBytes - headBytes - tailBuffer.length;
      const headText = Buffer.concat(head).toString("utf8");
      if (dropped <= 0) return { output: headText + tailBuffer.toString("utf8"), truncated: false, totalBytes };
      return {
        output: headText + truncationMarker(dropped) + tailBuffer.toString("utf8"),
        truncated: true,
        totalBytes,
      };
    },
  };
}

/** The last `keep` bytes of the queued chunks, as one buffer. */
function trimFront(chunks: readonly Buffer[], total: number, keep: number): Buffer {
  const all = Buffer.concat(chunks, total);
  return all.length > keep ? all.subarray(all.length - keep) : all;
}
