import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  buildImportGraph,
  findGitHubCalls,
  findImportCycles,
  findPipelineUpImports,
  findTriggerChecks,
  formatComponent,
  formatGitHubCall,
  formatImport,
  formatTriggerCheck,
  measureSeams,
  readSourceTree,
  stronglyConnectedComponents,
  type SeamReport,
} from "../../scripts/measure-seams.ts";

/** A tree of files that exist only in memory; each file is given as its lines. */
function tree(files: Record<string, readonly string[]>): Map<string, string> {
  return new Map(Object.entries(files).map(([file, lines]) => [file, lines.join("\n")]));
}

describe("measure-seams analyses", () => {
  it("finds GitHub API calls outside src/github/, tells writes from reads, and ignores look-alikes", () => {
    const sites = findGitHubCalls(
      tree({
        "github/report.ts": ["await octokit.rest.checks.create({});"],
        "pipeline/deliver.ts": [
          "await octokit.rest.pulls.create({});",
          'await deps.octokit.request("POST /repos/{owner}/{repo}/issues", {});',
          "await octokit.paginate(octokit.rest.pulls.list, {});",
          'await gh.graphql("mutation { x }");',
          "await octokit.config.get({ path: 'x' });",
          "await octokit.auth({ type: 'installation' });",
          "const list = octokit.rest.issues.list;",
          'await octokitFor(1).request("GET /repos/{owner}/{repo}");',
          // not GitHub: no octokit-like receiver and no route
          'await client.request("x"); await probot.auth(1); cache.config.get("k");',
        ],
      }),
    );
    expect(sites.map((s) => [s.file, s.line, s.shape, s.endpoint, s.write])).toEqual([
      ["pipeline/deliver.ts", 1, "rest", "pulls.create", true],
      ["pipeline/deliver.ts", 2, "request", "POST /repos/{owner}/{repo}/issues", true],
      ["pipeline/deliver.ts", 3, "paginate", "pulls.list", false],
      ["pipeline/deliver.ts", 4, "graphql", "graphql", true],
      ["pipeline/deliver.ts", 5, "config.get", "config.get", false],
      ["pipeline/deliver.ts", 6, "auth", "auth", false],
      ["pipeline/deliver.ts", 7, "rest-reference", "issues.list", false],
      ["pipeline/deliver.ts", 8, "request", "GET /repos/{owner}/{repo}", false],
    ]);
    expect(formatGitHubCall(sites[0] ?? expect.unreachable())).toBe("src/pipeline/deliver.ts:1  rest pulls.create  [write]  (octokit.rest.pulls.create)");
  });

  it("finds trigger-type and job-kind checks outside src/github/ and src/pipeline/origins/", () => {
    const sites = findTriggerChecks(
      tree({
        "github/describe.ts": ['if (t.type === "ci") {}'],
        "pipeline/origins/ci.ts": ['if (trigger.type === "ci") {}'],
        "pipeline/deliver.ts": [
          'if (t.type === "ci") {}',
          'if ("comment" !== payload.trigger.type) {}',
          'if (payload.kind === "fix-issue") {}',
          'switch (trigger.type) { case "advisory": break; case "ci": break; default: break; }',
          'if (["ci", "comment"].includes(t.type)) {}',
          // not checks: another property, another literal, a kind compared with a trigger type
          'if (mode === "ci" || t.type === "other" || job.kind === "ci") {}',
        ],
      }),
    );
    expect(sites.map((s) => [s.file, s.line, s.shape, s.property, s.literals])).toEqual([
      ["pipeline/deliver.ts", 1, "comparison", "type", ["ci"]],
      ["pipeline/deliver.ts", 2, "comparison", "type", ["comment"]],
      ["pipeline/deliver.ts", 3, "comparison", "kind", ["fix-issue"]],
      ["pipeline/deliver.ts", 4, "switch", "type", ["advisory", "ci"]],
      ["pipeline/deliver.ts", 5, "includes", "type", ["ci", "comment"]],
    ]);
    expect(formatTriggerCheck(sites[0] ?? expect.unreachable())).toBe('src/pipeline/deliver.ts:1  t.type === "ci"');
  });

  it("finds file-level and folder-level import cycles, type-only imports and re-exports included", () => {
    const cycles = findImportCycles(
      tree({
        "agent/a.ts": ['import type { B } from "./b.ts";', 'import { p } from "../pipeline/p.ts";'],
        "agent/b.ts": ['export { a } from "./a.ts";'],
        "agent/c.ts": ["export const c = 1;"],
        "pipeline/p.ts": ['import { c } from "../agent/c.ts";', 'import { e } from "../errors.ts";'],
        "errors.ts": ['import type { X } from "node:fs";'],
      }),
    );
    expect(cycles.files.map((c) => formatComponent(c, "file"))).toEqual([
      ["{ agent/a.ts, agent/b.ts }", "  src/agent/a.ts:1 → src/agent/b.ts  (import type)", "  src/agent/b.ts:1 → src/agent/a.ts  (export from)"],
    ]);
    expect(cycles.folders.map((c) => c.members)).toEqual([["agent", "pipeline"]]);
    expect(cycles.folders[0]?.edges.map(formatImport)).toEqual([
      "src/agent/a.ts:2 → src/pipeline/p.ts  (import)",
      "src/pipeline/p.ts:1 → src/agent/c.ts  (import)",
    ]);
  });

  it("finds no cycle in an acyclic tree, and resolves extensionless and index imports", () => {
    const acyclic = tree({
      "agent/a.ts": ['import { b } from "./b";', 'import { t } from "../tools";'],
      "agent/b.ts": ['import { e } from "../errors.js";'],
      "tools/index.ts": ['import { e } from "../errors";'],
      "errors.ts": ["export const e = 1;"],
    });
    expect(buildImportGraph(acyclic)).toEqual({
      edges: [
        { from: "agent/a.ts", to: "agent/b.ts", line: 1, kind: "import" },
        { from: "agent/a.ts", to: "tools/index.ts", line: 2, kind: "import" },
        { from: "agent/b.ts", to: "errors.ts", line: 1, kind: "import" },
        { from: "tools/index.ts", to: "errors.ts", line: 1, kind: "import" },
      ],
      unresolved: [],
    });
    expect(findImportCycles(acyclic)).toEqual({ files: [], folders: [] });
    expect(buildImportGraph(tree({ "a.ts": ['import "./gone.ts";'] })).unresolved).toEqual([{ file: "a.ts", line: 1, specifier: "./gone.ts" }]);
    expect(stronglyConnectedComponents(["a", "b", "c", "d"], [["a", "b"], ["b", "c"], ["c", "a"], ["c", "d"], ["d", "d"]])).toEqual([["a", "b", "c"]]);
  });

  it("finds imports into src/pipeline/ from below, but not from the composition roots or the pipeline itself", () => {
    const sites = findPipelineUpImports(
      tree({
        "pipeline/pipeline-deps.ts": ["export type PipelineDeps = {};"],
        "pipeline/run.ts": ['import type { PipelineDeps } from "./pipeline-deps.ts";'],
        "agent/run-role.ts": ['import type { PipelineDeps } from "../pipeline/pipeline-deps.ts";'],
        "main.ts": ['import { run } from "./pipeline/run.ts";'],
        "start-app.ts": ['import { run } from "./pipeline/run.ts";'],
        "cli/run-cli.ts": ['import { run } from "../pipeline/run.ts";'],
      }),
    );
    expect(sites.map(formatImport)).toEqual(["src/agent/run-role.ts:1 → src/pipeline/pipeline-deps.ts  (import type)"]);
  });
});

// The target layering. These fail until the refactor lands; each message lists what to fix.
describe("layers of src/", () => {
  let report: SeamReport | undefined;
  const measured = (): SeamReport => (report ??= measureSeams(readSourceTree(fileURLToPath(new URL("../../src/", import.meta.url)))));

  it("has no file-level import cycle", () => {
    expect(measured().cycles.files.components.flatMap((c) => formatComponent(c, "file")), "files that import each other (through any chain): break the loop").toEqual([]);
  });

  it("has no folder-level import cycle", () => {
    expect(
      measured().cycles.folders.components.flatMap((c) => formatComponent(c, "folder")),
      "folders of src/ that import each other (through any chain): one direction of each pair has to go",
    ).toEqual([]);
  });

  it("has no import into src/pipeline/ except from the composition roots", () => {
    expect(
      measured().upImports.sites.map(formatImport),
      "these import src/pipeline/ from below: move what they need (types, ports) out of the pipeline",
    ).toEqual([]);
  });

  it("calls the GitHub API only from src/github/", () => {
    expect(measured().githubCalls.sites.map(formatGitHubCall), "GitHub API calls outside src/github/: move them behind a function in src/github/").toEqual([]);
  });

  it("tells trigger types apart only in src/github/ and src/pipeline/origins/", () => {
    expect(
      measured().triggerChecks.sites.map(formatTriggerCheck),
      "checks of trigger.type / job kind outside src/github/ and src/pipeline/origins/: ask the trigger's origin instead",
    ).toEqual([]);
  });
});
