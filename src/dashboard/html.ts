/**
 * HTML built as strings, escaped and redacted by construction. In `html`
 * templates the literal parts are markup; every interpolated value is text,
 * unless it is itself `Html`. When a page is turned into markup
 * (`toMarkup`), each text is redacted, then cut to its `max` if it has one
 * (after redaction, so a cut never splits a secret the redactor would have
 * caught), then escaped. Most of what the dashboard shows comes from
 * repositories (diffs, traces, branch names, titles) and is
 * attacker-controlled: nothing reaches the page another way.
 */
import type { Redactor } from "../security/redact.ts";

interface Text {
  readonly text: string;
  readonly max?: number;
}

/** A fragment of a page: markup, and text still to be redacted and escaped. */
export interface Html {
  readonly parts: readonly (string | Text)[];
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

/** Text as HTML text or a double-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}

/** A fragment from a template: values are text, `Html` is kept, arrays are joined, `null`/`undefined`/`false` dropped. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  const parts: (string | Text)[] = [strings[0] ?? ""];
  values.forEach((value, i) => {
    append(parts, value);
    parts.push(strings[i + 1] ?? "");
  });
  return { parts };
}

function append(parts: (string | Text)[], value: HtmlValue): void {
  if (value === null || value === undefined || value === false) return;
  if (Array.isArray(value)) for (const item of value as readonly HtmlValue[]) append(parts, item);
  else if (typeof value === "object") parts.push(...(value as Html).parts);
  else parts.push({ text: String(value) });
}

/** `text`, cut to `max` characters (saying how many more there were) once redacted. */
export function clipped(text: string, max: number): Html {
  return { parts: [{ text, max }] };
}

/** Markup written in this code (the style sheet), never anything read from elsewhere. */
export function trusted(markup: string): Html {
  return { parts: [markup] };
}

/** The page's markup: every text redacted, cut and escaped. */
export function toMarkup(fragment: Html, redact: Redactor): string {
  return fragment.parts.map((part) => (typeof part === "string" ? part : escapeHtml(cut(redact(part.text), part.max)))).join("");
}

function cut(text: string, max: number | undefined): string {
  return max === undefined || text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** An epoch-ms time as `2024-05-01 12:34:56` (UTC). */
export function formatTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : "?";
}

/** A link to a page elsewhere, only for `https:` addresses; anything else is shown as text. */
export function externalLink(url: string, label: string = url): Html {
  return /^https:\/\/[^\s]+$/.test(url) ? html`<a href="${url}" rel="noreferrer noopener">${label}</a>` : html`${label}`;
}
