/**
 * Downloads a package tarball to a file, hashing it on the way, and checks
 * it against the registry's `dist.integrity` (sha512) before anything reads
 * it. Nothing is unpacked from a tarball that did not verify.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { ADVICE_OPERATOR, ToolUnavailable } from "./tool-unavailable.ts";

/** Larger than any toolchain tarball (Node is ~50 MB, Bun ~40 MB). */
const MAX_BYTES = 512 * 1024 * 1024;
const TIMEOUT_MS = 10 * 60_000;

/** The sha512 digests (base64) named by an SRI string; several may be listed. */
export function sha512Digests(integrity: string | undefined): string[] {
  return (integrity ?? "")
    .split(/\s+/)
    .filter((part) => part.startsWith("sha512-"))
    .map((part) => part.slice("sha512-".length).replace(/\?.*$/, ""));
}

export interface DownloadInput {
  readonly url: string;
  readonly integrity: string | undefined;
  /** Where to write the tarball (a file in a private temporary directory). */
  readonly file: string;
  /** For messages: `pnpm@9.1.0`. */
  readonly label: string;
  readonly fetch: typeof fetch;
  readonly signal?: AbortSignal;
}

/** @throws ToolUnavailable when it cannot be downloaded or does not match its integrity. */
export async function downloadTarball(input: DownloadInput): Promise<void> {
  const expected = sha512Digests(input.integrity);
  if (expected.length === 0) {
    throw new ToolUnavailable(`The registry gives no sha512 integrity for ${input.label}, so its tarball cannot be verified.`, ADVICE_OPERATOR);
  }
  const signal = input.signal ? AbortSignal.any([input.signal, AbortSignal.timeout(TIMEOUT_MS)]) : AbortSignal.timeout(TIMEOUT_MS);
  const hash = createHash("sha512");
  let bytes = 0;
  try {
    const response = await input.fetch(input.url, { signal });
    if (!response.ok || !response.body) throw new ToolUnavailable(`The registry answered ${response.status} for the tarball of ${input.label}.`, ADVICE_OPERATOR);
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > MAX_BYTES) return done(new ToolUnavailable(`The tarball of ${input.label} is larger than ${MAX_BYTES} bytes.`, ADVICE_OPERATOR));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), meter, createWriteStream(input.file, { mode: 0o600 }), { signal });
  } catch (error) {
    input.signal?.throwIfAborted();
    if (error instanceof ToolUnavailable) throw error;
    throw new ToolUnavailable(`The tarball of ${input.label} could not be downloaded (${(error as Error).message}).`, ADVICE_OPERATOR, { cause: error });
  }
  const actual = hash.digest("base64");
  if (!expected.includes(actual)) {
    throw new ToolUnavailable(`The tarball of ${input.label} does not match the registry's sha512 integrity (got sha512-${actual.slice(0, 16)}…).`, ADVICE_OPERATOR);
  }
}
