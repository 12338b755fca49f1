/**
 * The GitHub Actions expression language (the inside of `${{ }}` and of
 * `if:`), parsed into a small syntax tree. Pure; `evaluate-expression.ts`
 * gives it meaning. Grammar, loosest binding first:
 *   or := and ('||' and)*      and := eq ('&&' eq)*      eq := cmp (('=='|'!=') cmp)*
 *   cmp := unary (('<'|'<='|'>'|'>=') unary)*             unary := '!' unary | postfix
 *   postfix := primary ('.' name | '.*' | '[' or ']')*     primary := literal | name | name '(' args ')' | '(' or ')'
 */

export type Literal = null | boolean | number | string;

export type ExpressionNode =
  | { readonly kind: "literal"; readonly value: Literal }
  | { readonly kind: "context"; readonly name: string }
  | { readonly kind: "member"; readonly object: ExpressionNode; readonly name: string }
  | { readonly kind: "index"; readonly object: ExpressionNode; readonly index: ExpressionNode }
  | { readonly kind: "filter"; readonly object: ExpressionNode }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly ExpressionNode[] }
  | { readonly kind: "not"; readonly operand: ExpressionNode }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly left: ExpressionNode; readonly right: ExpressionNode };

export type BinaryOp = "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=";

type Token =
  | { readonly type: "punct"; readonly value: string }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "number"; readonly value: number }
  | { readonly type: "name"; readonly value: string }
  | { readonly type: "end" };

export type ParsedExpression = { ok: true; node: ExpressionNode } | { ok: false; error: string };

const PUNCTUATION = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ",", ".", "*"];
const NUMBER = /^-?(?:0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i;
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*/;

/** Parses one expression; a syntax error is a value, never a throw. */
export function parseExpression(source: string): ParsedExpression {
  const tokens = tokenize(source);
  if (typeof tokens === "string") return { ok: false, error: tokens };
  let position = 0;
  const peek = (): Token => tokens[position] ?? { type: "end" };
  const isPunct = (value: string): boolean => {
    const token = peek();
    return token.type === "punct" && token.value === value;
  };
  const expect = (value: string): void => {
    if (!isPunct(value)) throw new SyntaxError(`expected "${value}" in \`${source}\``);
    position++;
  };

  const binary = (ops: readonly BinaryOp[], next: () => ExpressionNode) => (): ExpressionNode => {
    let left = next();
    for (;;) {
      const token = peek();
      const op = ops.find((o) => token.type === "punct" && token.value === o);
      if (op === undefined) return left;
      position++;
      left = { kind: "binary", op, left, right: next() };
    }
  };
  const unary = (): ExpressionNode => {
    if (isPunct("!")) {
      position++;
      return { kind: "not", operand: unary() };
    }
    return postfix();
  };
  const comparison = binary(["<", "<=", ">", ">="], unary);
  const equality = binary(["==", "!="], comparison);
  const and = binary(["&&"], equality);
  const or = binary(["||"], and);

  function postfix(): ExpressionNode {
    let node = primary();
    for (;;) {
      if (isPunct(".")) {
        position++;
        const token = peek();
        position++;
        if (token.type === "punct" && token.value === "*") node = { kind: "filter", object: node };
        else if (token.type === "name") node = { kind: "member", object: node, name: token.value };
        else throw new SyntaxError(`expected a property name after "." in \`${source}\``);
      } else if (isPunct("[")) {
        position++;
        if (isPunct("*")) {
          position++;
          node = { kind: "filter", object: node };
        } else {
          node = { kind: "index", object: node, index: or() };
        }
        expect("]");
      } else {
        return node;
      }
    }
  }

  function primary(): ExpressionNode {
    const token = peek();
    position++;
    if (token.type === "string" || token.type === "number") return { kind: "literal", value: token.value };
    if (token.type === "punct" && token.value === "(") {
      const inner = or();
      expect(")");
      return inner;
    }
    if (token.type === "name") {
      const keyword = KEYWORDS.get(token.value);
      if (keyword !== undefined) return { kind: "literal", value: keyword.value };
      if (!isPunct("(")) return { kind: "context", name: token.value };
      position++;
      const args: ExpressionNode[] = [];
      if (!isPunct(")")) {
        args.push(or());
        while (isPunct(",")) {
          position++;
          args.push(or());
        }
      }
      expect(")");
      return { kind: "call", name: token.value, args };
    }
    throw new SyntaxError(`unexpected ${token.type === "end" ? "end" : `"${String(token.value)}"`} in \`${source}\``);
  }

  try {
    const node = or();
    if (peek().type !== "end") throw new SyntaxError(`unexpected text after the expression in \`${source}\``);
    return { ok: true, node };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

const KEYWORDS = new Map<string, { value: Literal }>([
  ["true", { value: true }],
  ["false", { value: false }],
  ["null", { value: null }],
  ["NaN", { value: Number.NaN }],
  ["Infinity", { value: Number.POSITIVE_INFINITY }],
]);

function tokenize(source: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const char = source[i] ?? "";
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (char === "'") {
      // Single-quoted, '' is an escaped quote.
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= source.length) return `unterminated string in \`${source}\``;
        if (source[j] === "'") {
          if (source[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += source[j];
        j++;
      }
      tokens.push({ type: "string", value });
      i = j + 1;
      continue;
    }
    const previous = tokens.at(-1);
    const valueExpected = previous === undefined || (previous.type === "punct" && previous.value !== ")" && previous.value !== "]");
    const number = NUMBER.exec(rest);
    if (number && (char !== "-" || valueExpected)) {
      const text = number[0];
      const negative = text.startsWith("-");
      const magnitude = negative ? text.slice(1) : text;
      const value = /^0x/i.test(magnitude) ? Number.parseInt(magnitude.slice(2), 16) : Number(magnitude);
      tokens.push({ type: "number", value: negative ? -value : value });
      i += text.length;
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      tokens.push({ type: "name", value: name[0] });
      i += name[0].length;
      continue;
    }
    const punct = PUNCTUATION.find((p) => rest.startsWith(p));
    if (punct === undefined) return `unexpected character "${char}" in \`${source}\``;
    tokens.push({ type: "punct", value: punct });
    i += punct.length;
  }
  return tokens;
}
