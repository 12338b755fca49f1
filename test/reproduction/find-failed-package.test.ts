import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findFailedPackage, packageManagerOf, packageTaskCommand, treeTask } from "../../src/reproduction/find-failed-package.ts";
import { readWorkspacePackages } from "../../src/reproduction/read-workspace-packages.ts";

const packages = [
  { name: "@acme/core", dir: "packages/core", scripts: ["test", "build"] },
  { name: "@acme/cli", dir: "packages/cli", scripts: ["test"] },
  { name: "docs", dir: "docs", scripts: ["build"] },
];

describe("findFailedPackage", () => {
  it.each([
    ["pnpm -r", "pnpm -r test", "packages/cli test$ node --test\n...\n ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL  @acme/core@1.0.0 test: `vitest run`\nExit status 1", "@acme/core", "test"],
    ["pnpm per-line", "pnpm -r run test", "packages/core test: ok\npackages/cli test: Failed\n", "@acme/cli", "test"],
    ["npm workspaces", "npm test --workspaces", "npm error Lifecycle script `test` failed with error:\nnpm error code 1\nnpm error path /w/packages/core\nnpm error workspace @acme/core@1.0.0\n", "@acme/core", "test"],
    ["turbo", "npx turbo run test", "@acme/cli#test: command (/w/packages/cli) /usr/bin/npm run test exited (1)\n", "@acme/cli", "test"],
    ["yarn foreach", "yarn workspaces foreach -A run test", "[@acme/core]: Process exited (exit code 1), completed in 2s\n", "@acme/core", "test"],
    ["lerna", "npx lerna run test", "lerna ERR! npm run test exited 1 in '@acme/cli'\n", "@acme/cli", "test"],
  ])("%s", (_name, command, output, name, task) => {
    const found = findFailedPackage(command, output, packages);
    expect(found?.pkg.name).toBe(name);
    expect(found?.task).toBe(task);
  });

  it("gives nothing when two packages failed, the package is unknown, or it has no such script", () => {
    const two = "npm error workspace @acme/core@1.0.0\nnpm error workspace @acme/cli@1.0.0\n";
    expect(findFailedPackage("npm test -ws", two, packages)).toBeNull();
    expect(findFailedPackage("npm test -ws", "npm error workspace other@1.0.0\n", packages)).toBeNull();
    expect(findFailedPackage("npx turbo run test", "docs#test: command (/w/docs) npm run test exited (1)", packages)).toBeNull();
    expect(findFailedPackage("npm test", "npm error workspace @acme/core@1.0.0", [])).toBeNull();
  });
});

describe("treeTask and commands", () => {
  it.each([
    ["pnpm -r test", "test"],
    ["pnpm --recursive run lint", "lint"],
    ["npm run build --workspaces", "build"],
    ["npm test -ws", "test"],
    ["yarn workspaces foreach --all run test", "test"],
    ["turbo run test", "test"],
    ["pnpm install", null],
    ["make test", null],
  ])("%s → %s", (command, task) => {
    expect(treeTask(command)).toBe(task);
  });

  it("runs the task with the repository's package manager", () => {
    expect(packageTaskCommand("npm", "test")).toBe("npm run test");
    expect(packageTaskCommand("pnpm", "test")).toBe("pnpm run test");
    expect(packageManagerOf({ has: (f) => f === "pnpm-lock.yaml" })).toBe("pnpm");
    expect(packageManagerOf({ has: (f) => f === "yarn.lock", packageManager: "bun@1.1.0" })).toBe("bun");
    expect(packageManagerOf({ has: () => false })).toBe("npm");
  });
});

describe("readWorkspacePackages", () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(tmpdir(), "pw-ws-"));
    roots.push(root);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    }
    return root;
  }

  it("reads npm and pnpm workspace globs, skipping excluded and nameless directories", async () => {
    const root = tree({
      "package.json": JSON.stringify({ workspaces: ["packages/*", "!packages/private"] }),
      "pnpm-workspace.yaml": "packages:\n  - tools/cli\n",
      "packages/core/package.json": JSON.stringify({ name: "@acme/core", scripts: { test: "vitest" } }),
      "packages/private/package.json": JSON.stringify({ name: "private" }),
      "packages/nameless/package.json": "{}",
      "tools/cli/package.json": JSON.stringify({ name: "cli" }),
    });
    const found = await readWorkspacePackages(root);
    expect(found.map((p) => p.name).sort()).toEqual(["@acme/core", "cli"]);
    expect(found.find((p) => p.name === "@acme/core")?.scripts).toEqual(["test"]);
  });

  it("does not follow a package directory or manifest that links out of the checkout", async () => {
    const outside = tree({ "package.json": JSON.stringify({ name: "outside-secret" }) });
    const root = tree({ "package.json": JSON.stringify({ workspaces: ["packages/*", "linked"] }) });
    mkdirSync(path.join(root, "packages", "a"), { recursive: true });
    symlinkSync(path.join(outside, "package.json"), path.join(root, "packages", "a", "package.json"));
    symlinkSync(outside, path.join(root, "linked"));
    symlinkSync(outside, path.join(root, "packages", "b"));
    expect(await readWorkspacePackages(root)).toEqual([]);
  });
});
