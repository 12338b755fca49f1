import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, type CliIo } from "../../src/cli/run-cli.ts";
import { FIXTURES, failingJob, fixtureLines } from "./helpers.ts";

const BIN = fileURLToPath(new URL("../../bin/patchwright", import.meta.url));
const log = failingJob(fixtureLines("pytest.log"));

async function run(argv: string[], stdin = "", isTTY = false): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = {
    argv,
    stdin: Object.assign(
      (async function* () {
        yield Buffer.from(stdin);
      })(),
      { isTTY },
    ),
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    readFile: (path) => readFile(path),
  };
  const code = await runCli(io);
  return { code, out, err };
}

describe("patchwright distill (in process)", () => {
  it("distils a file", async () => {
    const { code, out, err } = await run(["distill", "--budget", "2000", `${FIXTURES}/pytest.log`]);
    expect(code).toBe(0);
    expect(err).toBe("");
    expect(out).toContain("E       Failed: DID NOT RAISE");
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(2001);
  });

  it("distils standard input, with - or no FILE", async () => {
    for (const argv of [["distill", "-"], ["distill"]]) {
      const { code, out } = await run(argv, log);
      expect(code).toBe(0);
      expect(out).toContain("test_reserve_too_much");
      expect(Buffer.byteLength(out)).toBeLessThanOrEqual(8001);
    }
  });

  it("prints JSON with references and stats", async () => {
    const { code, out } = await run(["distill", "--json", "--step", "Run npm test"], log);
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as { excerpt: string; references: unknown[]; stats: { focusStep: string } };
    expect(parsed.stats.focusStep).toBe("Run npm test");
    expect(parsed.references).toContainEqual({ path: "tests/test_stock.py", line: 41 });
  });

  it("shows help", async () => {
    expect(await run(["--help"])).toMatchObject({ code: 0, out: expect.stringContaining("Usage: patchwright <command>") });
    expect(await run(["distill", "--help"])).toMatchObject({ code: 0, out: expect.stringContaining("--budget N") });
  });

  it.each([
    [["distill", "--bduget", "10"], /patchwright distill: Unknown option '--bduget'/],
    [["distill", "--budget", "ten", "x.log"], /--budget must be a positive number of bytes, got "ten"/],
    [["distill", "a.log", "b.log"], /expected one FILE, got 2/],
    [["frobnicate"], /patchwright: unknown command "frobnicate"/],
    [[], /Usage: patchwright/],
  ])("rejects %j with exit code 2", async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it("asks for input instead of waiting on a terminal", async () => {
    const { code, err } = await run(["distill"], "", true);
    expect(code).toBe(2);
    expect(err).toMatch(/give a log FILE, or pipe a log into standard input/);
  });

  it("exits 1 when the file cannot be read", async () => {
    const { code, err } = await run(["distill", "/no/such/file.log"]);
    expect(code).toBe(1);
    expect(err).toBe("patchwright distill: cannot read /no/such/file.log: no such file\n");
  });
});

describe("bin/patchwright", () => {
  it("runs on the pinned Node, on a file and on standard input", () => {
    const onFile = spawnSync(BIN, ["distill", "--budget", "1500", `${FIXTURES}/go-test.log`], { encoding: "utf8" });
    expect(onFile.status).toBe(0);
    expect(onFile.stdout).toContain("--- FAIL: TestRoundTrip (0.00s)");

    const onStdin = spawnSync(BIN, ["distill"], { input: log, encoding: "utf8" });
    expect(onStdin.status).toBe(0);
    expect(onStdin.stdout).toContain("FAILED tests/test_stock.py::test_reserve_too_much");

    const bad = spawnSync(BIN, ["distill", "--nope"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--nope'");
  });
});
