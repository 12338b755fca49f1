import { mkdir, symlink, writeFile } from "node:fs/promises";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readWorkflowFile } from "../../src/reproduction/read-workflow-file.ts";

/**
 * The workflow is read on the host from a checkout of the repository under
 * repair, so the repository decides what is at that path: only a regular file
 * inside the checkout is read.
 */
let root: string;
let checkout: string;
const SECRET = "host-only secret\n";

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "pw-workflow-"));
  checkout = path.join(root, "checkout");
  await mkdir(path.join(checkout, ".github/workflows"), { recursive: true });
  await writeFile(path.join(root, "outside.yml"), SECRET);
  await writeFile(path.join(checkout, ".github/workflows/ci.yml"), "on: push\njobs: {}\n");
  await writeFile(path.join(checkout, "real.yml"), "on: push\n");
  // Links an attacker can commit: out of the checkout, to an absolute host path, and inside it.
  await symlink("../../../outside.yml", path.join(checkout, ".github/workflows/escape.yml"));
  await symlink("/etc/hostname", path.join(checkout, ".github/workflows/absolute.yml"));
  await symlink("../../real.yml", path.join(checkout, ".github/workflows/inside.yml"));
  await symlink(root, path.join(checkout, ".github/linkdir"));
  await mkdir(path.join(checkout, ".github/workflows/dir.yml"));
  await writeFile(path.join(checkout, ".github/workflows/huge.yml"), "x".repeat(2 * 1024 * 1024));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("readWorkflowFile", () => {
  it("reads the workflow file of the checkout", async () => {
    expect(await readWorkflowFile(checkout, ".github/workflows/ci.yml")).toEqual({ path: ".github/workflows/ci.yml", text: "on: push\njobs: {}\n" });
  });

  it.each([
    ["a symlink out of the checkout", ".github/workflows/escape.yml"],
    ["a symlink to an absolute host path", ".github/workflows/absolute.yml"],
    ["a symlink inside the checkout (GitHub would not follow it either)", ".github/workflows/inside.yml"],
    ["a path through a linked directory", ".github/linkdir/outside.yml"],
    ["a path with ..", "../outside.yml"],
    ["an absolute path", "<root>/outside.yml"],
    ["a directory", ".github/workflows/dir.yml"],
    ["a file too large to be a workflow", ".github/workflows/huge.yml"],
    ["a missing file", ".github/workflows/missing.yml"],
  ])("refuses %s", async (_what, requested) => {
    expect(await readWorkflowFile(checkout, requested.replace("<root>", root))).toBeUndefined();
  });
});
