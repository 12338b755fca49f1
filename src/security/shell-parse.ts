/**
 * Parses a shell command into the small tree the command policy walks, with
 * `bash-parser` (a POSIX shell grammar) doing the parsing. Everything the
 * shell would run is in the tree: every simple command of a list, a pipeline,
 * a subshell, a group, an if/while/for/case body, a function body, and the
 * scripts inside `$(…)` and backticks (already parsed, recursively).
 *
 * Anything the parser cannot read throws `ShellParseError`, and so does a
 * construct this module does not know: the policy denies what it cannot see.
 * Known gaps of the parser, all of which end in a denial: `$'…'` quoting,
 * process substitution `<(…)`, `|&`, here-strings `<<<`, nested `$( $(…) )`.
 * A here-document's body is parsed as commands (so its text is checked too).
 */
import { createRequire } from "node:module";

/** One word of a command after quote removal, or its source when the shell computes it at run time. */
export interface ShellWord {
  /** The word as the program receives it; null when it contains an expansion (`$X`, `$(…)`, `$((…))`). */
  readonly value: string | null;
  /** The word as written (quotes kept when it has expansions). */
  readonly raw: string;
  /** Scripts of the command substitutions inside the word; the shell runs them before the command. */
  readonly substitutions: readonly ShellNode[];
}

export interface ShellRedirect {
  /** `>`, `>>`, `<`, `>&`, … */
  readonly op: string;
  readonly target: ShellWord;
}

/** A simple command: `NAME=value … program arg … >file`. */
export interface SimpleCommand {
  readonly assignments: readonly ShellWord[];
  /** Program and arguments; empty for a bare assignment or redirection. */
  readonly words: readonly ShellWord[];
  readonly redirects: readonly ShellRedirect[];
}

export type ShellNode =
  | { readonly kind: "command"; readonly command: SimpleCommand }
  /** `a | b | c`: each member reads the previous one's output. */
  | { readonly kind: "pipeline"; readonly members: readonly ShellNode[] }
  /** Anything else that runs its parts in turn: `;`, `&&`, `||`, `( )`, `{ }`, if, loops, case, functions. */
  | { readonly kind: "list"; readonly items: readonly ShellNode[] };

export class ShellParseError extends Error {
  override readonly name = "ShellParseError";
}

type BashParse = (source: string, options?: { mode?: "posix" | "bash" }) => unknown;

// bash-parser is CommonJS without type declarations; its output is checked node by node below.
const requireCjs = createRequire(import.meta.url);
const bashParse = requireCjs("bash-parser") as BashParse;

/** Parses `source`; throws `ShellParseError` for anything it cannot represent faithfully. */
export function parseShell(source: string): ShellNode {
  let ast: unknown;
  try {
    ast = bashParse(source, { mode: "bash" });
  } catch (error) {
    if (/\$['"]/.test(source)) throw new ShellParseError("$'…' and $\"…\" quoting are not supported; write the text with plain quotes");
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? error.name) : String(error);
    throw new ShellParseError(message);
  }
  return toNode(ast);
}

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null;
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function toNode(raw: unknown): ShellNode {
  if (!isRecord(raw)) throw new ShellParseError("unexpected parser output");
  const list = (...parts: unknown[]): ShellNode => ({ kind: "list", items: parts.filter((p) => p !== undefined).map(toNode) });
  switch (raw["type"]) {
    case "Script":
    case "CompoundList":
      return { kind: "list", items: array(raw["commands"]).map(toNode) };
    case "Pipeline":
      return { kind: "pipeline", members: array(raw["commands"]).map(toNode) };
    case "LogicalExpression":
      return list(raw["left"], raw["right"]);
    case "Subshell":
      return list(raw["list"]);
    case "If":
      return list(raw["clause"], raw["then"], raw["else"]);
    case "While":
    case "Until":
      return list(raw["clause"], raw["do"]);
    case "For": {
      const words = array(raw["wordlist"]).map(toWord);
      return { kind: "list", items: [...words.flatMap((w) => w.substitutions), toNode(raw["do"])] };
    }
    case "Case": {
      const clause = toWord(raw["clause"]);
      const bodies = array(raw["cases"]).map((item) => (isRecord(item) && item["body"] !== undefined ? toNode(item["body"]) : emptyList()));
      return { kind: "list", items: [...clause.substitutions, ...bodies] };
    }
    case "Function":
      // Checked where it is defined, as if it ran: calling it later is then harmless.
      return list(raw["body"]);
    case "Command":
      return { kind: "command", command: toCommand(raw) };
    default:
      throw new ShellParseError(`unsupported shell construct ${String(raw["type"])}`);
  }
}

function emptyList(): ShellNode {
  return { kind: "list", items: [] };
}

function toCommand(raw: Raw): SimpleCommand {
  const assignments: ShellWord[] = [];
  const words: ShellWord[] = [];
  const redirects: ShellRedirect[] = [];
  if (raw["name"] !== undefined) words.push(toWord(raw["name"]));
  for (const part of [...array(raw["prefix"]), ...array(raw["suffix"])]) {
    if (!isRecord(part)) throw new ShellParseError("unexpected parser output");
    switch (part["type"]) {
      case "AssignmentWord":
        assignments.push(toWord(part));
        break;
      case "Word":
        words.push(toWord(part));
        break;
      case "Redirect": {
        const op = isRecord(part["op"]) && typeof part["op"]["text"] === "string" ? part["op"]["text"] : "?";
        redirects.push({ op, target: toWord(part["file"]) });
        break;
      }
      case "dless":
      case "dlessdash":
        // A here-document: the parser reads its body as the following commands, which are checked as such.
        break;
      default:
        throw new ShellParseError(`unsupported word ${String(part["type"])}`);
    }
  }
  return { assignments, words, redirects };
}

function toWord(raw: unknown): ShellWord {
  if (!isRecord(raw) || typeof raw["text"] !== "string") throw new ShellParseError("unexpected parser output");
  const expansions = array(raw["expansion"]);
  const substitutions: ShellNode[] = [];
  for (const expansion of expansions) {
    if (isRecord(expansion) && expansion["type"] === "CommandExpansion") {
      if (expansion["commandAST"] === undefined) throw new ShellParseError("a command substitution could not be parsed");
      substitutions.push(toNode(expansion["commandAST"]));
    }
  }
  return { value: expansions.length > 0 ? null : raw["text"], raw: raw["text"], substitutions };
}
