/**
 * The runner's file commands as GitHub's runner reads them: `$GITHUB_ENV` and
 * `$GITHUB_OUTPUT` hold `NAME=value` lines and heredocs (`NAME<<DELIM`, the
 * value's lines, `DELIM`); `$GITHUB_PATH` holds one directory per line. Pure.
 */

export type ParsedPairs =
  | { readonly ok: true; readonly pairs: readonly (readonly [string, string])[] }
  /** The runner fails the step with this (after the script passed). */
  | { readonly ok: false; readonly error: string };

/** Lines of `text`, each with the newline that ended it (`""` for a last line without one). */
function* lines(text: string): Generator<{ line: string; newline: string; end: number }> {
  let index = 0;
  while (index < text.length) {
    const next = text.indexOf("\n", index);
    if (next < 0) {
      yield { line: text.slice(index), newline: "", end: text.length };
      return;
    }
    const crlf = next > index && text[next - 1] === "\r";
    yield { line: text.slice(index, crlf ? next - 1 : next), newline: crlf ? "\r\n" : "\n", end: next + 1 };
    index = next + 1;
  }
}

/** `NAME=value` and `NAME<<DELIM` … `DELIM`, in order; a later pair for the same name wins when applied. */
export function parseKeyValueFile(text: string): ParsedPairs {
  const pairs: [string, string][] = [];
  const iterator = lines(text);
  for (let current = iterator.next(); !current.done; current = iterator.next()) {
    const { line } = current.value;
    if (line === "") continue;
    const equals = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      const name = line.slice(0, equals);
      if (name === "") return { ok: false, error: `Invalid format '${line}'. Name must not be empty` };
      pairs.push([name, line.slice(equals + 1)]);
      continue;
    }
    if (heredoc < 0) return { ok: false, error: `Invalid format '${line}'` };
    const name = line.slice(0, heredoc);
    const delimiter = line.slice(heredoc + 2);
    if (name === "" || delimiter === "") return { ok: false, error: `Invalid format '${line}'. Name must not be empty and delimiter must not be empty` };
    const value: string[] = [];
    let closed = false;
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      if (next.value.line === delimiter) {
        closed = true;
        break;
      }
      if (next.value.newline === "") break;
      value.push(next.value.line + next.value.newline);
    }
    if (!closed) return { ok: false, error: `Invalid value. Matching delimiter not found '${delimiter}'` };
    // The newline before the delimiter ends the value; it is not part of it.
    pairs.push([name, value.join("").replace(/\r?\n$/, "")]);
  }
  return { ok: true, pairs };
}

/** The directories of `$GITHUB_PATH`, in the order written (blank lines are ignored). */
export function parsePathFile(text: string): string[] {
  return [...lines(text)].map(({ line }) => line.trim()).filter((line) => line !== "");
}
