import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { showFile } from "../support/fixture-repo.ts";
import { repackInstalledWheels, startPythonIndex, type PythonIndex } from "../support/python-index.ts";
import { fixedFiles, readRealFixtures, runRealFixtures, type RealRun } from "../support/real-fixtures.ts";

/**
 * Real repositories, end to end: for each fixture under test/fixtures/real
 * (a small public project at a commit whose CI job fails for a real bug), a
 * signed red-build webhook reaches the app, which provisions the toolchains
 * the job set up (Node versions, npm, pnpm, Yarn Berry, Bun, Python) from the
 * npm registry and the worker's interpreters, installs the dependencies
 * through the registry proxy (Python's from a local index), reproduces the
 * failure, lets the scripted model apply the upstream maintainers' own fix,
 * verifies it and opens a PR that says how faithful the reproduction was.
 */

const only = process.env["REAL_FIXTURES"]?.split(",");
const fixtures = (await readRealFixtures()).filter((f) => (only === undefined ? !f.benchOnly : only.includes(f.name)));
let root: string;
let index: PythonIndex;
let runs: RealRun[];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "pw-real-"));
  const wheels = path.join(root, "wheels");
  await mkdir(wheels);
  // PyPI is out of reach: pytest and its requirements come from the machine's own (Debian's python3-pytest).
  index = await startPythonIndex(await repackInstalledWheels("/usr/bin/python3", wheels, ["pytest"]));
  runs = await runRealFixtures({ fixtures, root, toolchainDir: path.join(root, "toolchains"), concurrency: 2, pythonIndex: index.url });
  console.log(runs.map((r) => `${r.fixture.name}: ${r.conclusion} in ${(r.elapsedMs / 1000).toFixed(1)} s (${r.stages.toolchains || "the worker's tools"})`).join("\n"));
}, 30 * 60_000);

afterAll(async () => {
  await index?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("real repositories become pull requests with the upstream fix", () => {
  it.each(fixtures.map((f) => [f.name, f] as const))("%s", async (name, fixture) => {
    const run = runs.find((r) => r.fixture.name === name);
    expect(run?.summary, `${name} ended: ${run?.summary}`).toBeDefined();
    expect(run?.conclusion, `${name}: ${run?.summary}\n${run?.details.slice(-3000)}`).toBe("success");
    const pr = run?.pr;
    expect(pr?.head).toBe(`patchwright/fix-${fixture.failingCommit.slice(0, 7)}`);
    // The pushed branch holds the upstream fix.
    for (const [file, content] of Object.entries(await fixedFiles(fixture))) {
      if (content !== null) expect(await showFile(path.join(root, "git", "real", `${name}.git`), pr!.head, file)).toBe(content);
    }
    // The fidelity the PR claims: exact, or approximate with the honest reason.
    if (fixture.approximate === undefined) {
      expect(pr?.body).toContain("Exact: the failed job's steps ran as in CI.");
      expect(run?.stages.exact).toBe(true);
    } else {
      expect(pr?.body).toContain("Approximate");
      expect(pr?.body).toContain(fixture.approximate);
    }
    // The toolchain CI set up is named next to the one used.
    expect(pr?.body).toContain("#### Toolchains");
  });
});
