/**
 * Just enough shell for recipes: split a plain command line into words, and
 * quote words (file names from tool output, arguments of the failing command)
 * back into a command line for `bash -c`.
 */

/** Characters that make a command more than one plain invocation (operators, redirections, substitutions, subshells). */
const SHELL_SYNTAX = new Set([";", "&", "|", "<", ">", "(", ")", "$", "`", "\n"]);

/**
 * The words of a command that is one plain invocation, with quotes and
 * backslashes resolved (`eslint "src dir" --ext .ts` → 3 words). Null when it
 * is anything more (`a && b`, `x > log`, `$(...)`, `FOO=1 cmd`, unbalanced quotes):
 * then its arguments cannot be reused safely.
 */
export function splitWords(command: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "$" || c === "`") return null;
      else if (c === "\\" && /["\\$`]/.test(command.charAt(i + 1))) word += command.charAt(++i);
      else word += c;
    } else if (c === " " || c === "\t") {
      if (word !== null) words.push(word);
      word = null;
    } else if (SHELL_SYNTAX.has(c)) {
      return null;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\") {
      if (i + 1 >= command.length) return null;
      word = (word ?? "") + command.charAt(++i);
    } else {
      word = (word ?? "") + c;
    }
  }
  if (quote !== null) return null;
  if (word !== null) words.push(word);
  if (words.length === 0 || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0] ?? "")) return null;
  return words;
}

/** A word as bash reads it back unchanged: bare when safe, else single-quoted. */
export function quoteWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/** A relative file argument that no tool can take for an option (`-x.js` → `./-x.js`), quoted. */
export function quotePath(file: string): string {
  return quoteWord(file.startsWith("-") ? `./${file}` : file);
}
