/**
 * Reading CiDiff's breakage logs as LogChunks rows (bench/lib/cidiff-breakages.ts):
 * the labelled lines must be the ones its ground truth names, counted the way
 * the ground truth counts lines.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isCidiffCheckout, loadCidiffBreakages, normaliseCidiffLog, parseGroundTruth } from "../../bench/lib/cidiff-breakages.ts";

describe("CiDiff breakages", () => {
  const root = mkdtempSync(join(tmpdir(), "pw-cidiff-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("read error ranges 1-based and inclusive, and leave context lines out", () => {
    expect(parseGroundTruth("DEFAULT\nE 34-45\nC 33\nE 56\n")).toEqual({ format: "DEFAULT", errors: [[33, 44], [55, 55]] });
  });

  it("count \\r as a line end, and drop GitHub's job, step and timestamp prefixes", () => {
    expect(normaliseCidiffLog("a\r\nb\rc\nd", "DEFAULT")).toBe("a\nb\nc\nd");
    expect(normaliseCidiffLog("build\tRun tests\t2021-12-01T13:00:40.1077661Z FAILED x", "FULL_GITHUB")).toBe("FAILED x");
    expect(normaliseCidiffLog("2022-05-30T09:10:31.1584995Z ##[error]boom", "RAW_GITHUB")).toBe("##[error]boom");
  });

  it("label the lines the ground truth names in a checkout", () => {
    const dir = join(root, "data", "breakages", "widget_12");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "fail.log"), "Started\r[INFO] compiling\r\n[ERROR] Foo.java:[3,1] cannot find symbol\nFinished: FAILURE\n");
    writeFileSync(join(dir, "groundtruth"), "DEFAULT\nE 3\nC 2\n");
    expect(isCidiffCheckout(root)).toBe(true);
    const [log] = loadCidiffBreakages(root);
    expect(log?.row.repo).toBe("widget");
    expect(log?.gold).toEqual(["[ERROR] Foo.java:[3,1] cannot find symbol"]);
  });
});
