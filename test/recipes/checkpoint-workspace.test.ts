import { mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Recipe } from "../../src/recipes/recipe.ts";
import { runRecipes } from "../../src/recipes/run-recipes.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { checkout, recording, removeCheckouts, status, writeFiles } from "./helpers.ts";

/** A recipe that always matches and runs `commands`: the runner's undo is what is under test. */
function always(...commands: string[]): Recipe {
  return { name: "test-recipe", matches: () => ({ commands: commands.map((command) => ({ command })), description: "test" }) };
}

const FILES = {
  "a.txt": "a\n",
  "b.txt": "b\n",
  "d.txt": "d\n",
  "dir/c.txt": "c\n",
  "bin/run.sh": "#!/bin/sh\necho run\n",
};

async function dirtyCheckout() {
  const repo = await checkout(FILES, ["bin/run.sh"]);
  // Not a clean tree: changes made before the recipe (by setup, say) must survive its undo.
  await writeFiles(repo.dir, { "a.txt": "a, edited before\n", "u.txt": "untracked before\n" });
  await rm(path.join(repo.dir, "d.txt"));
  return repo;
}

async function snapshot(dir: string) {
  const read = (f: string) => readFile(path.join(dir, f), "utf8").catch(() => null);
  return {
    status: await status(dir),
    files: Object.fromEntries(await Promise.all(["a.txt", "b.txt", "d.txt", "dir/c.txt", "u.txt", "new.txt", "n/z.txt"].map(async (f) => [f, await read(f)]))),
    executable: ((await stat(path.join(dir, "bin/run.sh"))).mode & 0o111) !== 0,
  };
}

afterAll(removeCheckouts);

describe("runRecipes undo", () => {
  it("puts back every kind of change when the step stays red", async () => {
    const { dir, sandbox } = await dirtyCheckout();
    const before = await snapshot(dir);
    expect(before.status).toEqual([" D d.txt", " M a.txt", "?? u.txt"]);
    const recipe = always(
      "echo X >> a.txt && echo Y >> b.txt && rm dir/c.txt && chmod -x bin/run.sh && echo new > new.txt && mkdir n && echo z > n/z.txt && rm u.txt && echo back > d.txt",
    );
    const events: [string, unknown][] = [];

    const result = await runRecipes({ sandbox, failingCommand: "exit 1", failingOutput: "", recipes: [recipe], onEvent: (k, d) => void events.push([k, d]) });

    expect(result).toBeNull();
    expect(await snapshot(dir)).toEqual(before);
    expect(events).toMatchObject([["recipe", { name: "test-recipe", green: false, reason: "`exit 1` still fails (exit 1)" }]]);
  });

  it("stops at the first fixing command that fails, and undoes the ones before it", async () => {
    const { dir, sandbox } = await dirtyCheckout();
    const before = await snapshot(dir);
    const spy = recording(sandbox);
    const events: [string, unknown][] = [];

    const result = await runRecipes({ sandbox: spy.sandbox, failingCommand: "true", failingOutput: "", recipes: [always("echo Y >> b.txt", "exit 4", "echo never > new.txt")], onEvent: (k, d) => void events.push([k, d]) });

    expect(result).toBeNull();
    expect(await snapshot(dir)).toEqual(before);
    expect(spy.commands).not.toContain("echo never > new.txt");
    expect(spy.commands).not.toContain("true");
    expect(events).toMatchObject([["recipe", { green: false, commands: [{ exitCode: 0 }, { command: "exit 4", exitCode: 4 }], after: null, reason: "`exit 4` exited with 4" }]]);
  });

  it("keeps a green recipe's changes, and can still undo them on request", async () => {
    const { dir, sandbox } = await dirtyCheckout();
    const before = await snapshot(dir);
    const result = await runRecipes({ sandbox, failingCommand: "grep -q fixed b.txt", failingOutput: "", recipes: [always("echo fixed >> b.txt")] });
    expect(result).toMatchObject({ recipe: "test-recipe", after: { exitCode: 0 } });
    expect(await readFile(path.join(dir, "b.txt"), "utf8")).toBe("b\nfixed\n");
    await result?.undo();
    expect(await snapshot(dir)).toEqual(before);
  });

  it("uses the caller's restore instead of a checkpoint when given one", async () => {
    const { sandbox } = await checkout(FILES);
    const spy = recording(sandbox);
    let restored = 0;
    const result = await runRecipes({ sandbox: spy.sandbox, failingCommand: "exit 1", failingOutput: "", recipes: [always("true")], restore: async () => void restored++ });
    expect(result).toBeNull();
    expect(restored).toBe(1);
    expect(spy.commands).toEqual(["true", "exit 1"]);
  });

  it("does not run a recipe it could not undo: outside a git checkout, or with a dirty file behind a symbolic link", async () => {
    const plain = await mkdtemp(path.join(tmpdir(), "pw-recipe-plain-"));
    try {
      const events: [string, unknown][] = [];
      const spy = recording(await createSandbox({ root: plain }));
      expect(await runRecipes({ sandbox: spy.sandbox, failingCommand: "exit 1", failingOutput: "", recipes: [always("touch x")], onEvent: (k, d) => void events.push([k, d]) })).toBeNull();
      expect(spy.commands.some((c) => c.includes("touch"))).toBe(false);
      expect(events).toMatchObject([["recipe", { green: false, commands: [], after: null, reason: expect.stringContaining("recipes need a git checkout") }]]);
    } finally {
      await rm(plain, { recursive: true, force: true });
    }

    const { dir, sandbox } = await checkout(FILES);
    await writeFile(path.join(dir, "outside.txt"), "x\n");
    await symlink("/etc/hostname", path.join(dir, "link"));
    const events: [string, unknown][] = [];
    expect(await runRecipes({ sandbox, failingCommand: "exit 1", failingOutput: "", recipes: [always("touch x")], onEvent: (k, d) => void events.push([k, d]) })).toBeNull();
    expect(events).toMatchObject([["recipe", { reason: expect.stringContaining("link") }]]);
    expect(await status(dir)).toEqual(["?? link", "?? outside.txt"]);
  });
});
