/**
 * Measures the seams of src/: where GitHub is called, where trigger types are
 * told apart, import cycles (file and folder level) and imports that reach up
 * into the pipeline.
 *
 *   node scripts/measure-seams.ts [--json] [--root <dir>]
 *
 * `--root` is the directory to scan (default: this repository's src/). Paths are
 * always printed as `src/<path under the root>`. With `--json` the output is one
 * line holding one JSON object.
 *
 * The analyses are exported (test/architecture/layers.test.ts) and work on a
 * SourceTree: a map from a posix path relative to src/ to the file's text, so
 * tests can feed them files that exist only in memory.
 *
 * Heuristics (syntax only: nothing is type-checked):
 * - GitHub API call sites (outside src/github/):
 *   - `<x>.rest.<ns>.<method>(...)`, any `<x>`; a `<x>.rest.<ns>.<method>` that is not called
 *     (e.g. kept in a variable) is a "rest-reference" site, except as an argument of a
 *     `paginate` call, which is then the site and takes its endpoint from it;
 *   - `<x>.paginate(...)` and `<x>.paginate.iterator(...)`, any `<x>`;
 *   - `<x>.graphql(...)`, any `<x>`;
 *   - `<x>.request(...)` when `<x>` is octokit-like or the first argument is a route
 *     literal ("GET /repos/...");
 *   - `<x>.config.get(...)` and `<x>.auth(...)` when `<x>` is octokit-like.
 *   Octokit-like: the receiver's last name contains "octokit" (`octokit`, `appOctokit`,
 *   `context.octokit`, `octokitFor(id)`). So `probot.auth(id)` is not counted.
 *   A write is a REST method whose name starts with create/update/delete/remove/add/set/merge
 *   (so `reRunWorkflow`, `lock`, `dismissReview` are not writes), a route literal starting
 *   with POST/PATCH/PUT/DELETE, or a graphql literal starting with `mutation`.
 * - Trigger-type checks (outside src/github/ and src/pipeline/origins/): whatever the
 *   receiver, `<x>.type` compared (===, !==, ==, !=) with "ci" | "comment" | "advisory",
 *   and `<x>.kind` compared with "fix-ci" | "fix-issue" | "bump-dependency"; a `switch`
 *   on `<x>.type` / `<x>.kind` with at least one such `case` (one site per switch); and
 *   `[<literals>].includes(<x>.type | <x>.kind)`. Not seen: `"issueNumber" in trigger`
 *   style narrowing, checks through a helper, or literals held in constants.
 * - Imports: import declarations (type-only too), `export ... from`, `import("...")` calls
 *   and `import("...")` types. Only relative specifiers that resolve to a scanned file
 *   count (`x.ts`, `x.js` → `x.ts`, `x` → `x.ts` or `x/index.ts`); unresolved relative
 *   specifiers are listed separately. Folder = first path segment under src/; a file
 *   directly in src/ is its own pseudo-folder named after the file (`app.ts`).
 * - Up-imports: an import of src/pipeline/** from a file outside src/pipeline/ that is not
 *   a composition root (src/main.ts, src/app.ts, src/start-app.ts,
 *   src/create-pipeline-deps.ts, src/cli/**).
 */
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** posix path relative to src/ → file text */
export type SourceTree = ReadonlyMap<string, string>;

export type GitHubCallShape = "rest" | "rest-reference" | "request" | "paginate" | "graphql" | "config.get" | "auth";

export interface GitHubCallSite {
  readonly file: string;
  readonly line: number;
  readonly shape: GitHubCallShape;
  /** `pulls.create`, `POST /repos/{owner}/{repo}/...`, or "" when it cannot be read off the syntax */
  readonly endpoint: string;
  readonly write: boolean;
  /** the callee as written, e.g. `octokit.rest.pulls.create` */
  readonly text: string;
}

export interface TriggerCheckSite {
  readonly file: string;
  readonly line: number;
  readonly shape: "comparison" | "switch" | "includes";
  readonly property: "type" | "kind";
  readonly literals: readonly string[];
  readonly text: string;
}

export type ImportKind = "import" | "import type" | "export from" | "export type from" | "dynamic import" | "import() type";

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly line: number;
  readonly kind: ImportKind;
}

export interface UnresolvedImport {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
}

export interface ImportGraph {
  readonly edges: readonly ImportEdge[];
  readonly unresolved: readonly UnresolvedImport[];
}

export interface CycleComponent {
  /** files (`pipeline/run-fix-job.ts`) or folders (`pipeline`), sorted */
  readonly members: readonly string[];
  /** the file-level imports inside the component (for folders: between two different member folders) */
  readonly edges: readonly ImportEdge[];
}

export interface ImportCycles {
  readonly files: readonly CycleComponent[];
  readonly folders: readonly CycleComponent[];
}

export interface SeamReport {
  readonly root: string;
  readonly fileCount: number;
  readonly githubCalls: { readonly count: number; readonly files: number; readonly writes: number; readonly sites: readonly GitHubCallSite[] };
  readonly triggerChecks: { readonly count: number; readonly files: number; readonly sites: readonly TriggerCheckSite[] };
  readonly cycles: {
    readonly files: { readonly count: number; readonly components: readonly CycleComponent[] };
    readonly folders: { readonly count: number; readonly components: readonly CycleComponent[] };
  };
  readonly upImports: { readonly count: number; readonly sites: readonly ImportEdge[] };
  readonly unresolvedImports: readonly UnresolvedImport[];
}

export const TRIGGER_TYPES: readonly string[] = ["ci", "comment", "review", "advisory"];
export const JOB_KINDS: readonly string[] = ["fix-ci", "fix-issue", "bump-dependency"];
export const COMPOSITION_ROOTS: readonly string[] = ["main.ts", "app.ts", "start-app.ts", "create-pipeline-deps.ts", "cli/"];
const WRITE_METHOD = /^(create|update|delete|remove|add|set|merge)/;
const ROUTE = /^(GET|HEAD|POST|PATCH|PUT|DELETE)\s+\//;
const WRITE_ROUTE = /^(POST|PATCH|PUT|DELETE)\s/;

// ---------------------------------------------------------------------------------------------
// Reading and parsing

/** Every `*.ts` file under `root`, keyed by its posix path relative to `root`. */
export function readSourceTree(root: string): Map<string, string> {
  const tree = new Map<string, string>();
  const entries = readdirSync(root, { recursive: true, encoding: "utf8" }).sort();
  for (const entry of entries) {
    if (!entry.endsWith(".ts")) continue;
    const full = path.join(root, entry);
    if (!statSync(full).isFile()) continue;
    tree.set(entry.split(path.sep).join("/"), readFileSync(full, "utf8"));
  }
  return tree;
}

const parsed = new WeakMap<SourceTree, Map<string, ts.SourceFile>>();

function parseTree(tree: SourceTree): Map<string, ts.SourceFile> {
  const cached = parsed.get(tree);
  if (cached) return cached;
  const files = new Map<string, ts.SourceFile>();
  for (const [file, text] of [...tree].sort(([a], [b]) => compare(a, b))) {
    files.set(file, ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS));
  }
  parsed.set(tree, files);
  return files;
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (child) => walk(child, visit));
}

function lineOf(sf: ts.SourceFile, node: ts.Node): number {
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

function unwrap(node: ts.Expression): ts.Expression {
  let e = node;
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) {
    e = e.expression;
  }
  return e;
}

/** The text of a string literal or template (a template's head only), else undefined. */
function literalText(node: ts.Node | undefined): string | undefined {
  if (node === undefined) return undefined;
  const e = ts.isExpression(node) ? unwrap(node) : node;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isTemplateExpression(e)) return e.head.text;
  return undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byPlace<T extends { readonly file: string; readonly line: number }>(a: T, b: T): number {
  return compare(a.file, b.file) || a.line - b.line;
}

function shortText(sf: ts.SourceFile, node: ts.Node, max = 120): string {
  const text = node.getText(sf).replace(/\s+/g, " ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// a. GitHub API call sites

/** `x.rest.ns.method` → `ns.method` */
function restEndpoint(node: ts.Expression): string | undefined {
  const e = unwrap(node);
  if (!ts.isPropertyAccessExpression(e)) return undefined;
  const ns = e.expression;
  if (!ts.isPropertyAccessExpression(ns)) return undefined;
  const rest = ns.expression;
  if (!ts.isPropertyAccessExpression(rest) || rest.name.text !== "rest") return undefined;
  return `${ns.name.text}.${e.name.text}`;
}

/** The last name in a receiver expression: `context.octokit` → `octokit`, `octokitFor(id)` → `octokitFor`. */
function lastName(node: ts.Expression): string | undefined {
  const e = unwrap(node);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isCallExpression(e)) return lastName(e.expression);
  if (ts.isAwaitExpression(e)) return lastName(e.expression);
  return undefined;
}

function isOctokitLike(node: ts.Expression): boolean {
  return /octokit/i.test(lastName(node) ?? "");
}

function isGithubFolder(file: string): boolean {
  return file.startsWith("github/");
}

function restWrite(endpoint: string): boolean {
  const method = endpoint.split(".")[1] ?? "";
  return WRITE_METHOD.test(method);
}

/** Every GitHub API call site in files outside src/github/. */
export function findGitHubCalls(tree: SourceTree): GitHubCallSite[] {
  const sites: GitHubCallSite[] = [];
  for (const [file, sf] of parseTree(tree)) {
    if (isGithubFolder(file)) continue;
    const site = (node: ts.Node, shape: GitHubCallShape, endpoint: string, write: boolean, callee: ts.Node): void => {
      sites.push({ file, line: lineOf(sf, node), shape, endpoint, write, text: shortText(sf, callee) });
    };
    walk(sf, (node) => {
      if (ts.isCallExpression(node)) {
        const callee = unwrap(node.expression);
        if (!ts.isPropertyAccessExpression(callee)) return;
        const name = callee.name.text;
        const receiver = callee.expression;
        const rest = restEndpoint(callee);
        if (rest !== undefined) {
          site(node, "rest", rest, restWrite(rest), callee);
        } else if (name === "paginate" || (name === "iterator" && ts.isPropertyAccessExpression(receiver) && receiver.name.text === "paginate")) {
          const first = node.arguments[0];
          const inner = first === undefined ? undefined : restEndpoint(first);
          const route = literalText(first);
          if (inner !== undefined) site(node, "paginate", inner, restWrite(inner), callee);
          else site(node, "paginate", route ?? "", route !== undefined && WRITE_ROUTE.test(route), callee);
        } else if (name === "graphql") {
          const query = literalText(node.arguments[0]);
          site(node, "graphql", "graphql", query !== undefined && /^\s*mutation\b/.test(query), callee);
        } else if (name === "request") {
          const route = literalText(node.arguments[0]);
          const looksLikeRoute = route !== undefined && ROUTE.test(route);
          if (isOctokitLike(receiver) || looksLikeRoute) site(node, "request", route ?? "", route !== undefined && WRITE_ROUTE.test(route), callee);
        } else if (name === "get" && ts.isPropertyAccessExpression(receiver) && receiver.name.text === "config" && isOctokitLike(receiver.expression)) {
          site(node, "config.get", "config.get", false, callee);
        } else if (name === "auth" && isOctokitLike(receiver)) {
          site(node, "auth", "auth", false, callee);
        }
        return;
      }
      if (ts.isPropertyAccessExpression(node)) {
        const rest = restEndpoint(node);
        if (rest === undefined) return;
        const parent = node.parent;
        if (ts.isCallExpression(parent) && unwrap(parent.expression) === node) return; // a "rest" call site
        if (ts.isCallExpression(parent) && parent.arguments.includes(node)) {
          const callee = unwrap(parent.expression);
          if (ts.isPropertyAccessExpression(callee) && (callee.name.text === "paginate" || callee.name.text === "iterator")) return; // the paginate site
        }
        site(node, "rest-reference", rest, restWrite(rest), node);
      }
    });
  }
  return sites.sort(byPlace);
}

// ---------------------------------------------------------------------------------------------
// b. Trigger-type checks

/** Where telling trigger types apart belongs: GitHub's side, the origins, and the operator dashboard's descriptions of them. */
function isTriggerCheckFolder(file: string): boolean {
  return file.startsWith("github/") || file.startsWith("pipeline/origins/") || file.startsWith("dashboard/");
}

/** `x.type` → "type", `x.kind` → "kind" */
function checkedProperty(node: ts.Expression): "type" | "kind" | undefined {
  const e = unwrap(node);
  if (!ts.isPropertyAccessExpression(e)) return undefined;
  return e.name.text === "type" ? "type" : e.name.text === "kind" ? "kind" : undefined;
}

function isCheckedLiteral(property: "type" | "kind", literal: string | undefined): literal is string {
  if (literal === undefined) return false;
  return (property === "type" ? TRIGGER_TYPES : JOB_KINDS).includes(literal);
}

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/** Every trigger-type / job-kind check in files outside src/github/ and src/pipeline/origins/. */
export function findTriggerChecks(tree: SourceTree): TriggerCheckSite[] {
  const sites: TriggerCheckSite[] = [];
  for (const [file, sf] of parseTree(tree)) {
    if (isTriggerCheckFolder(file)) continue;
    walk(sf, (node) => {
      if (ts.isBinaryExpression(node) && EQUALITY.has(node.operatorToken.kind)) {
        for (const [side, other] of [
          [node.left, node.right],
          [node.right, node.left],
        ] as const) {
          const property = checkedProperty(side);
          const literal = literalText(other);
          if (property !== undefined && ts.isStringLiteralLike(unwrap(other)) && isCheckedLiteral(property, literal)) {
            sites.push({ file, line: lineOf(sf, node), shape: "comparison", property, literals: [literal], text: shortText(sf, node) });
            return;
          }
        }
        return;
      }
      if (ts.isSwitchStatement(node)) {
        const property = checkedProperty(node.expression);
        if (property === undefined) return;
        const literals = node.caseBlock.clauses
          .filter((clause): clause is ts.CaseClause => ts.isCaseClause(clause))
          .map((clause) => (ts.isStringLiteralLike(unwrap(clause.expression)) ? literalText(clause.expression) : undefined))
          .filter((literal): literal is string => isCheckedLiteral(property, literal));
        if (literals.length > 0) {
          sites.push({ file, line: lineOf(sf, node), shape: "switch", property, literals, text: `switch (${shortText(sf, node.expression)})` });
        }
        return;
      }
      if (ts.isCallExpression(node)) {
        const callee = unwrap(node.expression);
        const arg = node.arguments[0];
        if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== "includes" || arg === undefined) return;
        const array = unwrap(callee.expression);
        const property = checkedProperty(arg);
        if (property === undefined || !ts.isArrayLiteralExpression(array)) return;
        const literals = array.elements
          .map((element) => (ts.isStringLiteralLike(element) ? element.text : undefined))
          .filter((literal): literal is string => isCheckedLiteral(property, literal));
        if (literals.length > 0) sites.push({ file, line: lineOf(sf, node), shape: "includes", property, literals, text: shortText(sf, node) });
      }
    });
  }
  return sites.sort(byPlace);
}

// ---------------------------------------------------------------------------------------------
// c. Import graph and cycles

function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const candidates = [base];
  if (base.endsWith(".js")) candidates.push(`${base.slice(0, -3)}.ts`);
  candidates.push(`${base}.ts`, `${base}/index.ts`);
  return candidates.find((candidate) => files.has(candidate));
}

/** Every import between scanned files (relative specifiers only), and the relative ones that resolve to nothing. */
export function buildImportGraph(tree: SourceTree): ImportGraph {
  const files = new Set(tree.keys());
  const edges: ImportEdge[] = [];
  const unresolved: UnresolvedImport[] = [];
  for (const [file, sf] of parseTree(tree)) {
    const add = (node: ts.Node, specifier: string, kind: ImportKind): void => {
      if (!specifier.startsWith(".")) return;
      const line = lineOf(sf, node);
      const to = resolveSpecifier(file, specifier, files);
      if (to === undefined) unresolved.push({ file, line, specifier });
      else edges.push({ from: file, to, line, kind });
    };
    walk(sf, (node) => {
      if (ts.isImportDeclaration(node)) {
        const specifier = literalText(node.moduleSpecifier);
        if (specifier !== undefined) add(node, specifier, node.importClause?.isTypeOnly === true ? "import type" : "import");
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
        const specifier = literalText(node.moduleSpecifier);
        if (specifier !== undefined) add(node, specifier, node.isTypeOnly ? "export type from" : "export from");
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const specifier = literalText(node.arguments[0]);
        if (specifier !== undefined) add(node, specifier, "dynamic import");
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
        const specifier = literalText(node.argument.literal);
        if (specifier !== undefined) add(node, specifier, "import() type");
      }
    });
  }
  return { edges: edges.sort((a, b) => compare(a.from, b.from) || a.line - b.line), unresolved: unresolved.sort(byPlace) };
}

/** The folder of a path relative to src/: its first segment, or the file itself for files directly in src/. */
export function folderOf(file: string): string {
  const slash = file.indexOf("/");
  return slash === -1 ? file : file.slice(0, slash);
}

/** Tarjan's strongly connected components with more than one member, members sorted, components sorted. */
export function stronglyConnectedComponents(nodes: Iterable<string>, edges: Iterable<readonly [string, string]>): string[][] {
  const adjacency = new Map<string, string[]>();
  for (const node of nodes) adjacency.set(node, []);
  for (const [from, to] of edges) {
    if (!adjacency.has(from)) adjacency.set(from, []);
    if (!adjacency.has(to)) adjacency.set(to, []);
    adjacency.get(from)?.push(to);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of adjacency.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort(compare));
    }
  };

  for (const node of [...adjacency.keys()].sort(compare)) if (!index.has(node)) connect(node);
  return components.sort((a, b) => compare(a[0] ?? "", b[0] ?? ""));
}

/** File-level and folder-level import cycles. */
export function findImportCycles(tree: SourceTree): ImportCycles {
  const { edges } = buildImportGraph(tree);
  const fileComponents = stronglyConnectedComponents(
    tree.keys(),
    edges.map((e) => [e.from, e.to] as const),
  ).map((members): CycleComponent => {
    const inside = new Set(members);
    return { members, edges: edges.filter((e) => inside.has(e.from) && inside.has(e.to)) };
  });
  const crossFolder = edges.filter((e) => folderOf(e.from) !== folderOf(e.to));
  const folderComponents = stronglyConnectedComponents(
    [...tree.keys()].map(folderOf),
    crossFolder.map((e) => [folderOf(e.from), folderOf(e.to)] as const),
  ).map((members): CycleComponent => {
    const inside = new Set(members);
    return {
      members,
      edges: crossFolder
        .filter((e) => inside.has(folderOf(e.from)) && inside.has(folderOf(e.to)))
        .sort((a, b) => compare(folderOf(a.from), folderOf(b.from)) || compare(folderOf(a.to), folderOf(b.to)) || compare(a.from, b.from) || a.line - b.line),
    };
  });
  return { files: fileComponents, folders: folderComponents };
}

// ---------------------------------------------------------------------------------------------
// d. Up-imports into the pipeline

export function isCompositionRoot(file: string): boolean {
  return COMPOSITION_ROOTS.some((root) => (root.endsWith("/") ? file.startsWith(root) : file === root));
}

/** Imports of src/pipeline/** from outside src/pipeline/, composition roots excepted. */
export function findPipelineUpImports(tree: SourceTree): ImportEdge[] {
  return buildImportGraph(tree).edges.filter((e) => e.to.startsWith("pipeline/") && !e.from.startsWith("pipeline/") && !isCompositionRoot(e.from));
}

// ---------------------------------------------------------------------------------------------
// Report

function distinctFiles(sites: readonly { readonly file: string }[]): number {
  return new Set(sites.map((s) => s.file)).size;
}

export function measureSeams(tree: SourceTree, root = "src"): SeamReport {
  const githubCalls = findGitHubCalls(tree);
  const triggerChecks = findTriggerChecks(tree);
  const cycles = findImportCycles(tree);
  const upImports = findPipelineUpImports(tree);
  return {
    root,
    fileCount: tree.size,
    githubCalls: { count: githubCalls.length, files: distinctFiles(githubCalls), writes: githubCalls.filter((s) => s.write).length, sites: githubCalls },
    triggerChecks: { count: triggerChecks.length, files: distinctFiles(triggerChecks), sites: triggerChecks },
    cycles: {
      files: { count: cycles.files.length, components: cycles.files },
      folders: { count: cycles.folders.length, components: cycles.folders },
    },
    upImports: { count: upImports.length, sites: upImports },
    unresolvedImports: buildImportGraph(tree).unresolved,
  };
}

/** `src/<file>:<line>` */
export function place(site: { readonly file: string; readonly line: number }): string {
  return `src/${site.file}:${site.line}`;
}

export function formatGitHubCall(site: GitHubCallSite): string {
  return `${place(site)}  ${site.shape} ${site.endpoint || "?"}${site.write ? "  [write]" : ""}  (${site.text})`;
}

export function formatTriggerCheck(site: TriggerCheckSite): string {
  return `${place(site)}  ${site.text}`;
}

export function formatImport(edge: ImportEdge): string {
  return `${place({ file: edge.from, line: edge.line })} → src/${edge.to}  (${edge.kind})`;
}

/** The members on one line, then the imports inside (for folders grouped by folder pair), indented. */
export function formatComponent(component: CycleComponent, level: "file" | "folder"): string[] {
  const lines = [`{ ${component.members.join(", ")} }`];
  if (level === "file") {
    for (const edge of component.edges) lines.push(`  ${formatImport(edge)}`);
    return lines;
  }
  const pairs = new Map<string, ImportEdge[]>();
  for (const edge of component.edges) {
    const pair = `${folderOf(edge.from)} → ${folderOf(edge.to)}`;
    pairs.set(pair, [...(pairs.get(pair) ?? []), edge]);
  }
  for (const [pair, edges] of pairs) {
    lines.push(`  ${pair} (${edges.length})`);
    for (const edge of edges) lines.push(`    ${formatImport(edge)}`);
  }
  return lines;
}

export function formatReport(report: SeamReport): string {
  const out: string[] = [];
  const list = (items: readonly string[]): void => {
    for (const item of items) out.push(`    ${item}`);
  };
  out.push(`Seams of ${report.root} (${report.fileCount} files)`, "");
  const calls = report.githubCalls;
  out.push(`a. GitHub API call sites outside src/github/: ${calls.count} in ${calls.files} files, ${calls.writes} writes`);
  list(calls.sites.map(formatGitHubCall));
  out.push("");
  const checks = report.triggerChecks;
  out.push(`b. Trigger-type checks outside src/github/ and src/pipeline/origins/: ${checks.count} in ${checks.files} files`);
  list(checks.sites.map(formatTriggerCheck));
  out.push("");
  out.push(`c. Import cycles: ${report.cycles.files.count} at file level, ${report.cycles.folders.count} at folder level`);
  out.push(`  file level (${report.cycles.files.count}):`);
  report.cycles.files.components.forEach((component, i) => list(formatComponent(component, "file").map((l, j) => (j === 0 ? `${i + 1}. ${l}` : `  ${l}`))));
  out.push(`  folder level (${report.cycles.folders.count}):`);
  report.cycles.folders.components.forEach((component, i) => list(formatComponent(component, "folder").map((l, j) => (j === 0 ? `${i + 1}. ${l}` : `  ${l}`))));
  out.push("");
  out.push(`d. Up-imports into src/pipeline/ (composition roots excepted): ${report.upImports.count}`);
  list(report.upImports.sites.map(formatImport));
  if (report.unresolvedImports.length > 0) {
    out.push("", `Relative imports that resolve to no scanned file (not in the graph): ${report.unresolvedImports.length}`);
    list(report.unresolvedImports.map((u) => `${place(u)}  "${u.specifier}"`));
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv: readonly string[]): { json: boolean; root: string } {
  let json = false;
  let root = fileURLToPath(new URL("../src", import.meta.url));
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === "--json") json = true;
    else if (arg === "--root") {
      const value = argv[i + 1];
      if (value === undefined) throw new Error("--root needs a directory: node scripts/measure-seams.ts --root /path/to/src");
      root = path.resolve(value);
      i += 1;
    } else if (arg?.startsWith("--root=")) root = path.resolve(arg.slice("--root=".length));
    else throw new Error(`unknown argument ${arg ?? ""}: usage is node scripts/measure-seams.ts [--json] [--root <dir>]`);
  }
  return { json, root };
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(import.meta.filename);
  } catch {
    return false;
  }
}

function fail(message: string): never {
  process.stderr.write(`measure-seams: ${message}\n`);
  process.exit(2);
}

if (invokedDirectly()) {
  let args: { json: boolean; root: string };
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const { json, root } = args;
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    fail(`${root} is not a directory; pass the src/ directory to scan with --root`);
  }
  const report = measureSeams(readSourceTree(root), root);
  process.stdout.write(json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
}
