import { describe, expect, it } from "vitest";
import { expandMatrix } from "../../src/reproduction/expand-matrix.ts";
import { parseWorkflow } from "../../src/reproduction/parse-workflow.ts";
import { fixtureWorkflow, parseOrThrow } from "./helpers.ts";

describe("parseWorkflow", () => {
  it("keeps jobs, matrix, defaults, env and steps of a real workflow", () => {
    const workflow = fixtureWorkflow("ci.yml");
    expect(workflow.name).toBe("CI");
    expect(workflow.env.values).toEqual({ FORCE_COLOR: "0", SHARED: "workflow" });
    expect(workflow.defaults).toEqual({ shell: undefined, workingDirectory: "packages/app" });
    expect(workflow.jobs.map((j) => j.id)).toEqual(["lint", "test"]);
    const test = workflow.jobs[1];
    expect(test?.matrix).toEqual({ dimensions: [["node", [18, 20]], ["os", ["ubuntu-latest"]]], include: [], exclude: [] });
    expect(test?.env.values).toEqual({ SHARED: "job", NODE_LABEL: "node-${{ matrix.node }}" });
    expect(test?.steps[1]).toMatchObject({ index: 1, name: "Set up Node", uses: "actions/setup-node@v4", with: { "node-version": "${{ matrix.node }}", cache: "npm" } });
    expect(test?.steps[3]).toMatchObject({ name: "Build", env: { values: { STEP_ONLY: "yes", SHARED: "step" } } });
    expect(test?.steps[4]).toMatchObject({ run: "npm test", shell: "bash" });
    expect(test?.steps[5]).toMatchObject({ if: "always()" });
  });

  it("tolerates unknown keys and scalar types YAML gives", () => {
    const workflow = parseOrThrow(`
on: push
permissions: { contents: read }
concurrency: ci
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    env: { RETRIES: 3, VERBOSE: true, EMPTY: null }
    steps:
      - run: make
        timeout-minutes: 2
        continue-on-error: true
        with-unknown-key: 1
`);
    const job = workflow.jobs[0];
    expect(job?.env.values).toEqual({ RETRIES: "3", VERBOSE: "true", EMPTY: "" });
    expect(job?.steps[0]).toMatchObject({ run: "make", timeoutMinutes: 2, continueOnError: true });
  });

  it.each([
    ["jobs: [unclosed", "invalid YAML"],
    ["a: 1\na: 2\njobs: {}", "invalid YAML"],
    ["- just\n- a list", "not a workflow"],
    ["", "not a workflow"],
    ["on: push\nname: no jobs", "jobs"],
    ["jobs:\n  a:\n    steps:\n      - name: neither\n", "jobs.a.steps[0]: a step needs exactly one of `run` or `uses`"],
    ["jobs:\n  a:\n    steps:\n      - run: x\n        uses: y\n", "exactly one of"],
    ["jobs:\n  a:\n    steps: not-a-list\n", "jobs.a.steps"],
    ["jobs:\n  a: &a\n    steps: [*a]\n", "invalid YAML"],
  ])("returns an error value for %j", (text, message) => {
    const parsed = parseWorkflow(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(message);
  });
});

describe("expandMatrix", () => {
  it("takes the product, removes excludes, merges and adds includes like GitHub", () => {
    const workflow = parseOrThrow(`
jobs:
  t:
    strategy:
      matrix:
        os: [ubuntu, windows]
        node: [18, 20]
        exclude:
          - os: windows
            node: 18
        include:
          - node: 20
            npm: 10
          - os: windows
            node: 18
            experimental: true
    steps: [{ run: x }]
`);
    expect(expandMatrix(workflow.jobs[0]?.matrix)).toEqual({
      ok: true,
      combinations: [
        { os: "ubuntu", node: 18 },
        { os: "ubuntu", node: 20, npm: 10 },
        { os: "windows", node: 20, npm: 10 },
        { os: "windows", node: 18, experimental: true },
      ],
    });
  });

  it("handles include-only matrices, jobs without a matrix, and matrices computed at run time", () => {
    const workflow = parseOrThrow(`
jobs:
  a:
    strategy: { matrix: { include: [{ shard: 1 }, { shard: 2 }] } }
    steps: [{ run: x }]
  b:
    steps: [{ run: x }]
  c:
    strategy: { matrix: "\${{ fromJSON(needs.setup.outputs.matrix) }}" }
    steps: [{ run: x }]
  d:
    strategy: { matrix: { node: "\${{ fromJSON(inputs.nodes) }}" } }
    steps: [{ run: x }]
`);
    const [a, b, c, d] = workflow.jobs;
    expect(expandMatrix(a?.matrix)).toEqual({ ok: true, combinations: [{ shard: 1 }, { shard: 2 }] });
    expect(expandMatrix(b?.matrix)).toEqual({ ok: true, combinations: [{}] });
    expect(expandMatrix(c?.matrix)).toMatchObject({ ok: false, error: expect.stringContaining("computed at run time") });
    expect(expandMatrix(d?.matrix)).toMatchObject({ ok: false, error: expect.stringContaining("`node`") });
  });
});
