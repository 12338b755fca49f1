import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recipeFixOutcome } from "../../src/recipes/recipe-fix-outcome.ts";
import { runRecipes } from "../../src/recipes/run-recipes.ts";
import type { Sandbox } from "../../src/workspace/types.ts";
import { checkout, copyInstall, expectExit, recording, removeCheckouts, status } from "./helpers.ts";

/**
 * Recipes on real checkouts in a real sandbox, with the repositories' own
 * tools installed from the npm registry (as a job's setup phase would).
 */

const REGISTRY_HINT = " These tests install packages from registry.npmjs.org inside the sandbox: check that the registry is reachable.";
const PRETTIER_REPO = {
  ".gitignore": "node_modules/\n",
  "package.json": `${JSON.stringify(
    {
      name: "formatted",
      version: "1.0.0",
      private: true,
      scripts: { "format:check": "prettier --check src", lint: "prettier --check src && node scripts/no-todo.js" },
      devDependencies: { prettier: "3.3.3" },
    },
    null,
    2,
  )}\n`,
  "src/a.js": "export const a = {b:1}\n",
  "src/b.js": 'export const b = "ok";\n',
  // A second check in the same step that no formatter can satisfy.
  "scripts/no-todo.js": 'console.error("src/b.js: TODO left in the code"); process.exit(1);\n',
};

afterAll(removeCheckouts);

describe("runRecipes with prettier", () => {
  let installed: { dir: string; sandbox: Sandbox };

  beforeAll(async () => {
    installed = await checkout(PRETTIER_REPO);
    // The job's setup phase: the only one with network. No lockfile is committed, so npm
    // leaves an untracked package-lock.json behind: the workspace is not clean before the recipe.
    expectExit(await installed.sandbox.run("npm install --no-audit --no-fund", { network: true }), 0, REGISTRY_HINT);
  });

  it("fixes `npm run format:check` with `prettier --write` on the reported file: green, no model", async () => {
    const { dir, sandbox } = await checkout(PRETTIER_REPO);
    await copyInstall(installed.dir, dir);
    const before = expectExit(await sandbox.run("npm run format:check"), 1);
    expect(before.output).toContain("Code style issues found in the above file");
    const events: [string, unknown][] = [];

    const result = await runRecipes({ sandbox, failingCommand: "npm run format:check", failingOutput: before.output, onEvent: (k, d) => void events.push([k, d]) });

    expect(result).toMatchObject({ recipe: "prettier", after: { command: "npm run format:check", exitCode: 0 } });
    expect(result?.commands.map((c) => [c.command, c.exitCode])).toEqual([["npx --no-install prettier --write src/a.js", 0]]);
    expect(await readFile(path.join(dir, "src/a.js"), "utf8")).toBe("export const a = { b: 1 };\n");
    expect(await status(dir)).toEqual([" M src/a.js", "?? package-lock.json"]);
    expect(events).toEqual([
      [
        "recipe",
        {
          name: "prettier",
          green: true,
          commands: [{ command: "npx --no-install prettier --write src/a.js", network: false, exitCode: 0, durationMs: expect.any(Number) }],
          after: { command: "npm run format:check", exitCode: 0, durationMs: expect.any(Number) },
        },
      ],
    ]);
    // What the pipeline delivers in place of the agent's outcome: zero turns, zero tokens.
    const fix = recipeFixOutcome(result!);
    expect(fix).toMatchObject({ status: "recipe", turns: 0, usage: { promptTokens: 0, completionTokens: 0 } });
    expect(fix.summary.split("\n")[0]).toBe("Ran `prettier --write` on the file `prettier --check` reported");
    expect(fix.trace).toEqual(["recipe prettier (no model call)", "run npx --no-install prettier --write src/a.js → exit 0", "run npm run format:check → exit 0"]);
  });

  it("fixes a reproduced CI step that runs in a sub-package, in that directory", async () => {
    const web = Object.fromEntries(Object.entries(PRETTIER_REPO).map(([file, content]) => [`web/${file}`, content]));
    const { dir, sandbox } = await checkout(web);
    await copyInstall(installed.dir, path.join(dir, "web"));
    // How the reproduction writes a workflow step with `working-directory: web`.
    const step = "cd web && bash -e -c 'npx prettier --check src'";
    const before = expectExit(await sandbox.run(step), 1);

    const result = await runRecipes({ sandbox, failingCommand: step, failingOutput: before.output });

    expect(result).toMatchObject({ recipe: "prettier", after: { exitCode: 0 } });
    expect(await readFile(path.join(dir, "web/src/a.js"), "utf8")).toBe("export const a = { b: 1 };\n");
    expect(await status(dir)).toEqual([" M web/src/a.js", "?? web/package-lock.json"]);
  });

  it("undoes the formatting when the step stays red for another reason, leaving earlier changes alone", async () => {
    const { dir, sandbox } = await checkout(PRETTIER_REPO);
    await copyInstall(installed.dir, dir);
    const lockfile = await readFile(path.join(dir, "package-lock.json"));
    const statusBefore = await status(dir);
    expect(statusBefore).toEqual(["?? package-lock.json"]);
    const before = expectExit(await sandbox.run("npm run lint"), 1);
    const events: [string, unknown][] = [];

    const result = await runRecipes({ sandbox, failingCommand: "npm run lint", failingOutput: before.output, onEvent: (k, d) => void events.push([k, d]) });

    expect(result).toBeNull();
    expect(await readFile(path.join(dir, "src/a.js"), "utf8")).toBe(PRETTIER_REPO["src/a.js"]);
    expect(await readFile(path.join(dir, "package-lock.json"))).toEqual(lockfile);
    expect(await status(dir)).toEqual(statusBefore);
    expect(events).toMatchObject([["recipe", { name: "prettier", green: false, after: { exitCode: 1 }, reason: "`npm run lint` still fails (exit 1)" }]]);
  });
});

describe("runRecipes with npm-lockfile", () => {
  it("brings package-lock.json back in sync so that `npm ci` passes", async () => {
    const { dir, sandbox } = await checkout({
      ".gitignore": "node_modules/\n",
      // is-number was added to package.json without updating the lockfile.
      "package.json": `${JSON.stringify({ name: "locked", version: "1.0.0", private: true, dependencies: { "is-number": "7.0.0" } }, null, 2)}\n`,
      "package-lock.json": `${JSON.stringify({ name: "locked", version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name: "locked", version: "1.0.0" } } }, null, 2)}\n`,
    });
    const setup = "npm ci --no-audit --no-fund";
    const before = expectExit(await sandbox.run(setup, { network: true }), 1);
    expect(before.output).toContain("EUSAGE");
    const events: [string, unknown][] = [];

    const result = await runRecipes({ sandbox, failingCommand: setup, failingOutput: before.output, network: true, onEvent: (k, d) => void events.push([k, d]) });

    expect(result, REGISTRY_HINT).toMatchObject({ recipe: "npm-lockfile", after: { exitCode: 0 } });
    const lock = JSON.parse(await readFile(path.join(dir, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
    expect(lock.packages["node_modules/is-number"]?.version).toBe("7.0.0");
    expect(await status(dir)).toEqual([" M package-lock.json"]);
    expect(events).toMatchObject([["recipe", { name: "npm-lockfile", green: true, commands: [{ command: "npm install --package-lock-only --ignore-scripts --no-audit --no-fund", network: true, exitCode: 0 }] }]]);
    expect(result?.description.split("\n")[0]).toBe("Ran `npm install --package-lock-only --ignore-scripts` to bring package-lock.json back in sync with package.json");
  });
});

describe("runRecipes without a matching recipe", () => {
  it("returns null for a failing test, without running anything or touching the workspace", async () => {
    const { dir, sandbox } = await checkout({
      "package.json": `${JSON.stringify({ name: "calc", type: "module", scripts: { test: "node --test" } })}\n`,
      "src/add.js": "export const add = (a, b) => a - b;\n",
      "test/add.test.js": 'import assert from "node:assert";\nimport test from "node:test";\nimport { add } from "../src/add.js";\ntest("adds", () => assert.strictEqual(add(2, 3), 5));\n',
    });
    const before = expectExit(await sandbox.run("npm test"), 1);
    const spy = recording(sandbox);
    const events: unknown[] = [];

    expect(await runRecipes({ sandbox: spy.sandbox, failingCommand: "npm test", failingOutput: before.output, onEvent: (...e) => void events.push(e) })).toBeNull();
    expect(spy.commands).toEqual([]);
    expect(events).toEqual([]);
    expect(await status(dir)).toEqual([]);
  });
});
