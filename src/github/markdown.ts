/** Small markdown helpers shared by every PR body, report and prompt. */

const TAIL = 1500;

/** The end of a command's output (where failures are), marked when cut. */
export function tail(text: string, max = TAIL): string {
  return text.length <= max ? text : `…\n${text.slice(-max)}`;
}

/** A code fence longer than any run of backticks inside, so output cannot break out of it. */
export function fence(text: string, language = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks}${language}\n${text}\n${ticks}`;
}

/** A collapsed `<details>` section. */
export function fold(title: string, body: string): string {
  return `<details><summary>${title}</summary>\n\n${body}\n\n</details>`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The signature line of every pull request Patchwright opens: what it cost, and that it is a proposal. */
export function openedBy(spent: { tokens: number; costUsd: number }, reason = ""): string {
  return `<sub>Opened by Patchwright${reason ? ` ${reason}` : ""} · ${spent.tokens} tokens · $${spent.costUsd.toFixed(2)}. Review it like any other contribution.</sub>`;
}
