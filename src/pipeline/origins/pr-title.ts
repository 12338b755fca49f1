/** Most characters of a pull request title (git's subject-line convention). */
export const TITLE_MAX = 72;

/** Past-tense or third-person openings a model likes, as the imperative a title wants. */
const IMPERATIVE: Readonly<Record<string, string>> = {
  fixed: "Fix", fixes: "Fix", added: "Add", adds: "Add", updated: "Update", updates: "Update",
  changed: "Change", changes: "Change", removed: "Remove", removes: "Remove", replaced: "Replace",
  replaces: "Replace", corrected: "Correct", corrects: "Correct", renamed: "Rename", moved: "Move",
  handled: "Handle", handles: "Handle", made: "Make", makes: "Make", used: "Use", uses: "Use",
  restored: "Restore", restores: "Restore", reverted: "Revert", reverts: "Revert",
};

/** Words a title must not end on: what follows them was cut. */
const DANGLING = new Set(["a", "an", "the", "and", "or", "but", "to", "of", "in", "on", "at", "for", "with", "by", "from", "that", "which", "so", "as", "into", "its", "is", "are", "was", "when", "if"]);

/** A sentence ends at `.`, `!` or `?` before a space; not after these. */
const ABBREVIATIONS = /(?:^|\s)(?:e\.g|i\.e|etc|vs|cf|approx|incl)\.$/i;

/**
 * A pull request title: `prefix` (e.g. "Fix CI on main"), then the first
 * sentence of `summary`, cut at a word boundary so the whole stays within
 * `max` characters, without a dangling word or punctuation at its end.
 */
export function prTitle(prefix: string, summary: string, options: { separator?: string; max?: number } = {}): string {
  const separator = options.separator ?? ": ";
  const room = (options.max ?? TITLE_MAX) - prefix.length - separator.length;
  const tail = room >= 12 ? titleTail(summary, room) : "";
  return tail ? `${prefix}${separator}${tail}` : prefix;
}

/** The first sentence of a summary as at most `room` characters, cut at a word and marked `…` when cut. */
export function titleTail(summary: string, room = TITLE_MAX): string {
  let sentence = imperative(firstSentence(summary));
  if (sentence.length <= room) return trimEnd(sentence);
  const words = sentence.slice(0, room).split(" ");
  // The last word was cut through unless the next character was a space.
  if (sentence[room] !== " ") words.pop();
  sentence = trimEnd(words.join(" "));
  return sentence ? `${sentence}…` : "";
}

function firstSentence(summary: string): string {
  const line = summary
    .split("\n")
    .map((l) => l.replace(/^\s*(?:[#>*-]+\s+|\d+\.\s+)/, "").replace(/\*\*/g, "").trim())
    .find(Boolean) ?? "";
  const flat = line.replace(/\s+/g, " ");
  for (const end of flat.matchAll(/[.!?](?= |$)/g)) {
    const upTo = flat.slice(0, end.index + 1);
    if (!ABBREVIATIONS.test(upTo)) return upTo;
  }
  return flat;
}

function imperative(sentence: string): string {
  const [first = "", ...rest] = sentence.split(" ");
  const verb = IMPERATIVE[first.toLowerCase()];
  return verb ? [verb, ...rest].join(" ") : sentence;
}

/** No trailing punctuation, opening bracket or dangling word. */
function trimEnd(text: string): string {
  let out = text.trim();
  for (;;) {
    const before = out;
    out = out.replace(/[\s.,;:!?'"([{—–-]+$/u, "");
    // A code span the cut opened is dropped, not left unclosed.
    if ((out.match(/`/g) ?? []).length % 2 === 1) out = out.slice(0, out.lastIndexOf("`"));
    const words = out.split(" ");
    if (words.length > 1 && DANGLING.has(words.at(-1)!.toLowerCase())) out = words.slice(0, -1).join(" ");
    if (out === before) return out;
  }
}
