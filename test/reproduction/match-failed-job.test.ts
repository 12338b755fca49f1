import { describe, expect, it } from "vitest";
import { matchFailedJob } from "../../src/reproduction/match-failed-job.ts";
import { RUNNER_CONTEXT, githubContext } from "../../src/reproduction/runner-facts.ts";
import { GITHUB, apiJob, fixtureWorkflow, parseOrThrow } from "./helpers.ts";

const context = { github: githubContext(GITHUB), runner: RUNNER_CONTEXT };

const CI_TEST_STEPS = [
  ["Run actions/checkout@v4", "success"],
  ["Set up Node", "success"],
  ["Install", "success"],
  ["Build", "success"],
  ["Run npm test", "failure"],
  ["Upload coverage", "success"],
] as const;

describe("matchFailedJob", () => {
  it("finds the job, the matrix combination and the failed step behind GitHub's extra steps", () => {
    const workflow = fixtureWorkflow("ci.yml");
    const result = matchFailedJob(workflow, apiJob("test (20, ubuntu-latest)", CI_TEST_STEPS, ["Set up Node", "Run actions/checkout@v4"]), context);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { match } = result;
    expect(match.job.id).toBe("test");
    expect(match.combination).toEqual({ node: 20, os: "ubuntu-latest" });
    expect(match.failedStepIndex).toBe(4);
    expect(match.job.steps[4]?.run).toBe("npm test");
    expect(match.conclusions.get(5)).toBe("success");
    expect(match.certain).toBe(true);
    expect(match.notes).toEqual([]);
  });

  it("matches the other combination and a job without a matrix", () => {
    const workflow = fixtureWorkflow("ci.yml");
    const node18 = matchFailedJob(workflow, apiJob("test (18, ubuntu-latest)", CI_TEST_STEPS), context);
    expect(node18.ok && node18.match.combination).toEqual({ node: 18, os: "ubuntu-latest" });
    const lint = matchFailedJob(
      workflow,
      apiJob("lint", [
        ["Run actions/checkout@v4", "success"],
        ["Run npm ci", "success"],
        ["Run npm run lint", "failure"],
      ]),
      context,
    );
    expect(lint.ok && [lint.match.job.id, lint.match.failedStepIndex]).toEqual(["lint", 2]);
  });

  it("renders a custom job name with matrix expressions, and step names with expressions", () => {
    const workflow = fixtureWorkflow("python-matrix.yml");
    const steps = [
      ["Run actions/checkout@v4", "success"],
      ["Run actions/setup-python@v5", "success"],
      ["Run python -m pip install --upgrade pip", "success"],
      ['Run echo "tag=v1" >> "$GITHUB_OUTPUT"', "success"],
      ["Test 3.12", "failure"],
      ["Publish", "skipped"],
    ] as const;
    const result = matchFailedJob(workflow, apiJob("Test on ubuntu-24.04 / py3.12", steps), context);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.match.combination).toEqual({ os: "ubuntu-24.04", python: "3.12" });
    expect(result.match.failedStepIndex).toBe(4);
    // A combination added by `include:` is found too.
    const added = matchFailedJob(workflow, apiJob("Test on ubuntu-24.04 / py3.13", [["Test 3.13", "failure"]]), context);
    expect(added.ok && added.match.combination).toEqual({ os: "ubuntu-24.04", python: "3.13", experimental: true });
  });

  it("appends matrix values to a custom name without expressions", () => {
    const workflow = parseOrThrow(`
jobs:
  unit:
    name: Unit tests
    strategy: { matrix: { shard: [1, 2] } }
    steps:
      - run: npm test -- --shard=\${{ matrix.shard }}/2
`);
    const result = matchFailedJob(workflow, apiJob("Unit tests (2)", [["Run npm test -- --shard=2/2", "failure"]]), context);
    expect(result.ok && [result.match.combination, result.match.failedStepIndex]).toEqual([{ shard: 2 }, 0]);
  });

  it("names a multi-line run step by its first line", () => {
    const workflow = parseOrThrow(`
jobs:
  build:
    steps:
      - run: |

          make all
          make check
`);
    const result = matchFailedJob(workflow, apiJob("build", [["Run make all", "failure"]]), context);
    expect(result.ok && result.match.failedStepIndex).toBe(0);
  });

  it("falls back on the step number when the failed step's name cannot be matched", () => {
    const workflow = parseOrThrow(`
jobs:
  build:
    steps:
      - run: echo one
      - name: \${{ steps.x.outputs.title }} then more
        run: echo two
      - run: echo three
`);
    const result = matchFailedJob(
      workflow,
      apiJob("build", [
        ["Run echo one", "success"],
        ["A title computed at run time", "failure"],
      ]),
      context,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.match.failedStepIndex).toBe(1);
    expect(result.match.certain).toBe(false);
    expect(result.match.notes[0]).toContain("by its position");
  });

  it("reproduces the whole job when the API did not say which step failed", () => {
    const workflow = fixtureWorkflow("ci.yml");
    const result = matchFailedJob(workflow, { name: "test (20, ubuntu-latest)" }, context);
    expect(result.ok && [result.match.failedStepIndex, result.match.certain]).toEqual([null, false]);
  });

  it("returns an error value for unknown jobs, GitHub's own steps, and reusable workflows", () => {
    const workflow = fixtureWorkflow("ci.yml");
    expect(matchFailedJob(workflow, apiJob("deploy", []), context)).toMatchObject({ ok: false, error: expect.stringContaining("`deploy`") });
    expect(matchFailedJob(workflow, apiJob("test (22, ubuntu-latest)", []), context)).toMatchObject({ ok: false });
    const setUpFailed = { name: "lint", steps: [{ name: "Set up job", number: 1, conclusion: "failure" }] };
    expect(matchFailedJob(workflow, setUpFailed, context)).toMatchObject({ ok: false, error: expect.stringContaining("GitHub's own step `Set up job`") });
    const reusable = parseOrThrow("jobs:\n  call:\n    uses: octo/shared/.github/workflows/test.yml@v1\n");
    expect(matchFailedJob(reusable, apiJob("call / test", []), context)).toMatchObject({ ok: false, error: expect.stringContaining("reusable workflow") });
  });
});
