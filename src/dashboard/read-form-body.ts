import type { IncomingMessage } from "node:http";

/** The largest form the dashboard reads; its forms carry a token and a CSRF field. */
export const MAX_FORM_BYTES = 8 * 1024;

/** A URL-encoded form body, or null when it is larger than `MAX_FORM_BYTES`. */
export async function readFormBody(req: IncomingMessage): Promise<URLSearchParams | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}
