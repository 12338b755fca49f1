import type { ServerResponse } from "node:http";
import type { Redactor } from "../security/redact.ts";
import { toMarkup, type Html } from "./html.ts";

/**
 * Sent with every dashboard response: no script, style only inline, forms
 * only back here, never framed, never sniffed, never cached (pages hold
 * repository data and CSRF tokens).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
  // Not `no-referrer`: with it, browsers send `Origin: null` on the dashboard's own forms, which then fail the origin check.
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

/** A page, its text redacted and escaped. */
export function sendPage(res: ServerResponse, status: number, page: Html, redact: Redactor, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, "content-type": "text/html; charset=utf-8" }).end(toMarkup(page, redact));
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, "content-type": "text/plain; charset=utf-8" }).end(`${text}\n`);
}

/** `303 See Other`: after a form, the browser GETs `location`. */
export function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, ...headers, location }).end();
}
