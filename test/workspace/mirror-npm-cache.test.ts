import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONTENT_DIR, listContentBlobs } from "../../src/workspace/mirror-npm-layout.ts";
import { promoteNpmContent } from "../../src/workspace/mirror-npm-promote.ts";
import { seedNpmCache } from "../../src/workspace/mirror-npm-seed.ts";
import { tempDir } from "./helpers.ts";

const hexOf = (text: string): string => createHash("sha512").update(text).digest("hex");
const blobPath = (hex: string): string => path.join(CONTENT_DIR, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));

async function put(cacheDir: string, relative: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(cacheDir, relative)), { recursive: true });
  await writeFile(path.join(cacheDir, relative), content);
}

describe("the shared npm store: promotion and seeding", () => {
  it("promotes only blobs whose bytes hash to their name, and nothing but blobs", async () => {
    const job = await tempDir("pw-npm-job-");
    const shared = await tempDir("pw-npm-shared-");
    const outside = await tempDir("pw-npm-outside-");
    await put(job, blobPath(hexOf("good\n")), "good\n");
    await put(job, blobPath(hexOf("the real package\n")), "a poisoned package\n"); // a lie about its digest
    await put(job, path.join("_cacache", "index-v5", "ab", "cd", "entry"), "key\tpoison\n");
    await put(job, path.join(CONTENT_DIR, "zz", "yy", "not-a-digest"), "x");
    // A link to a host file under a valid name: never followed.
    await writeFile(path.join(outside, "secret"), "host secret\n");
    const linked = path.join(job, blobPath(hexOf("host secret\n")));
    await mkdir(path.dirname(linked), { recursive: true });
    await symlink(path.join(outside, "secret"), linked);
    // A directory link on the way: not descended.
    await mkdir(path.join(outside, "aa", "bb"), { recursive: true });
    await writeFile(path.join(outside, "aa", "bb", "f".repeat(124)), "via a directory link\n");
    await symlink(path.join(outside, "aa"), path.join(job, CONTENT_DIR, "aa"));

    expect(await promoteNpmContent(job, shared)).toEqual({ promoted: 1, rejected: 1, present: 0 });
    const blobs = await listContentBlobs(shared, () => true);
    expect(blobs.map((b) => b.sha512)).toEqual([hexOf("good\n")]);
    expect(await readFile(path.join(shared, blobPath(hexOf("good\n"))), "utf8")).toBe("good\n");
    expect((await stat(path.join(shared, blobPath(hexOf("good\n"))))).mode & 0o777).toBe(0o444);
    expect(existsSync(path.join(shared, "_cacache", "index-v5"))).toBe(false);
    // No leftovers of the rejected copy.
    expect(await listContentBlobs(shared, () => true)).toHaveLength(1);

    // Promoting again adds nothing; the store's copy is never replaced.
    expect(await promoteNpmContent(job, shared)).toEqual({ promoted: 0, rejected: 1, present: 1 });
  });

  it("seeds a job's cache with one link per shared blob, pointing where the sandbox sees the store", async () => {
    const shared = await tempDir("pw-npm-shared-");
    const job = await tempDir("pw-npm-job-");
    for (const text of ["one\n", "two\n", "three\n"]) await put(shared, blobPath(hexOf(text)), text);
    await put(shared, path.join("_cacache", "index-v5", "ab", "cd", "entry"), "never seeded\n");
    expect(await seedNpmCache(shared, job, "/cache/npm-shared")).toBe(3);
    const relative = blobPath(hexOf("two\n"));
    const link = path.join(job, relative);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(path.posix.join("/cache/npm-shared", relative));
    expect(existsSync(path.join(job, "_cacache", "index-v5"))).toBe(false);
    // The seed's links are not new content: promotion skips them.
    expect(await promoteNpmContent(job, shared)).toEqual({ promoted: 0, rejected: 0, present: 0 });
  });
});
