/**
 * Issue 10, invariant 6: the host paths of mirrors and data dirs are not
 * discoverable from inside. A cached job's sandbox reads everything that
 * could name a host path (the mount tables, where the kernel prints each bind
 * source's path within its file system; the environment of its own and of
 * bubblewrap's process; cwd) and looks for the data dir, the repository's
 * cache, the installation and the repository: none may appear. The job
 * directory's neutral name (`pw-<16 hex>` under the temp dir) may.
 */
import { realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SANDBOX_NPM_SHARED } from "../../src/workspace/mirror-npm-cache.ts";
import { openWorkspace } from "../../src/workspace/open-workspace.ts";
import { createFixtureRepo } from "../support/fixture-repo.ts";
import { startGitHttpServer } from "../support/git-http-server.ts";
import { tempDir, TOKEN } from "../workspace/helpers.ts";

const INSTALLATION = 918273645;
const OWNER = "acme-secret-owner";
const NAME = "embargoed-repo";

describe("sandbox attacks on host paths (issue 10, invariant 6)", () => {
  it("finds neither the data dir, the mirror, the installation nor the repository in mounts, environment or cwd", async () => {
    const remoteRoot = await tempDir("pw-remote-");
    const { sha } = await createFixtureRepo({ root: remoteRoot, owner: OWNER, name: NAME, files: { "a.txt": "one\n" } });
    const server = await startGitHttpServer({ projectRoot: remoteRoot, token: TOKEN });
    try {
      const dataDir = await realpath(await tempDir(`pw-datadir-${process.pid}-`));
      const cacheRoot = path.join(dataDir, "mirrors");
      const cloneUrl = `${server.url}/${OWNER}/${NAME}.git`;
      const workspace = await openWorkspace({ cloneUrl, sha, token: TOKEN, cacheRoot, installationId: INSTALLATION });
      try {
        const paths = workspace.cache?.paths;
        if (paths === undefined) throw new Error("expected a cached workspace");
        const result = await workspace.sandbox.run(
          'echo "cwd=$(pwd -P) PWD=$PWD"; echo ENV; env; tr "\\0" "\\n" < /proc/self/environ; tr "\\0" "\\n" < /proc/1/environ; ' +
            "cat /proc/self/cmdline /proc/1/cmdline | tr '\\0' ' '; echo; " +
            `readlink -f /proc/self/cwd; ls -la ${SANDBOX_NPM_SHARED} "$npm_config_cache"; echo MOUNTINFO; cat /proc/self/mountinfo; echo MOUNTS; cat /proc/mounts`,
          { network: true },
        );
        console.log(`--- what a cached job's sandbox sees of host paths ---\n${result.output}`);
        expect(result.exitCode).toBe(0);
        const secrets = {
          "data dir": dataDir,
          "data dir name": path.basename(dataDir),
          "cache root": cacheRoot,
          "repository cache": paths.root,
          "repository cache name": path.basename(paths.root),
          mirror: paths.mirrorDir,
          "shared npm store": paths.npmCacheDir,
          installation: String(INSTALLATION),
          owner: OWNER,
          repository: NAME,
          "mirror layout": "npm-jobs",
          "checkouts layout": "/checkouts/",
        };
        const found = Object.entries(secrets).filter(([, secret]) => result.output.includes(secret));
        console.log(`searched for: ${JSON.stringify(secrets, null, 2)}\nfound: ${JSON.stringify(found)}`);
        const neutral = await realpath(tmpdir());
        console.log(`the temp dir prefix ${neutral} (allowed, with the job directory's random name) appears: ${result.output.includes(neutral)}`);
        expect(found).toEqual([]);
        // The bind sources that remain name only the job directory: pw-<16 hex>.
        const jobDir = path.basename(path.dirname(workspace.dir));
        expect(jobDir).toMatch(/^pw-[0-9a-f]{16}$/);
        expect(result.output).toContain(`${jobDir}/workspace /workspace `);
      } finally {
        await workspace.dispose();
      }
    } finally {
      await server.close();
    }
  });
});
