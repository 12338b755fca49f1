import { stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PatchwrightError } from "../../src/errors.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { dropPrivilegesCommand, resolveSandboxUser } from "../../src/workspace/sandbox-user.ts";
import { tempDir } from "./helpers.ts";

describe("the sandbox user", () => {
  it("is the worker's own for an unprivileged worker, an unprivileged one for root", async () => {
    expect(await resolveSandboxUser({ uid: 4242, gid: 4242 }, 1000)).toBeUndefined();
    expect(await resolveSandboxUser({ uid: 4242, gid: 4343 }, 0)).toEqual({ uid: 4242, gid: 4343 });
    // No patchwright-sandbox user on this host: nobody.
    expect(await resolveSandboxUser(undefined, 0)).toEqual({ uid: 65534, gid: 65534 });
  });

  it.each([
    [{ uid: 0, gid: 4242 }, /uid/],
    [{ uid: 4242, gid: 0 }, /gid/],
    [{ uid: -1, gid: 4242 }, /uid/],
  ])("refuses %o for a root worker, naming the option", async (user, name) => {
    const error = await resolveSandboxUser(user, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PatchwrightError);
    expect((error as PatchwrightError).message).toMatch(name);
    expect((error as PatchwrightError).message).toMatch(/sandboxUser option/);
  });

  it("drops every id, group and capability before bubblewrap", () => {
    expect(dropPrivilegesCommand({ uid: 4242, gid: 4343 }, "/usr/bin/bwrap", ["--args", "3"])).toEqual({
      file: "/usr/bin/setpriv",
      args: ["--reuid=4242", "--regid=4343", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--", "/usr/bin/bwrap", "--args", "3"],
    });
  });

  it("runs a root worker's commands as the configured user (an unprivileged worker's as itself)", async () => {
    const root = await tempDir();
    const sandbox = await createSandbox({ root, sandboxUser: { uid: 4242, gid: 4343 } });
    const result = await sandbox.run("id -u; echo x > mine.txt");
    expect(result.output).toBe("1000\n");
    if (process.getuid?.() === 0) {
      expect(await stat(path.join(root, "mine.txt"))).toMatchObject({ uid: 4242, gid: 4343 });
      // The top directory stays root's (host git trusts it), writable for the sandbox group.
      expect(await stat(root)).toMatchObject({ uid: 0, gid: 4343 });
    } else {
      expect(await stat(path.join(root, "mine.txt"))).toMatchObject({ uid: process.getuid?.() });
    }
  });
});
