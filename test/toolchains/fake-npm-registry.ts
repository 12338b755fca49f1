/**
 * A tiny npm registry on 127.0.0.1 for the toolchain cache tests: serves
 * packuments and tarballs built in the test, with real sha512 integrity,
 * and counts the requests it answers.
 */
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

export interface FakePackageVersion {
  readonly version: string;
  readonly tarball: Buffer;
  readonly bin?: Record<string, string>;
  readonly engines?: Record<string, string>;
  /** Served instead of the tarball's real integrity. */
  readonly integrity?: string;
}

export interface FakeRegistry {
  readonly url: string;
  /** Requests answered so far, as `METHOD /path`. */
  readonly requests: string[];
  publish(name: string, versions: readonly FakePackageVersion[], latest?: string): void;
  close(): Promise<void>;
}

export async function startFakeRegistry(): Promise<FakeRegistry> {
  const packuments = new Map<string, object>();
  const tarballs = new Map<string, Buffer>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const url = decodeURIComponent(req.url ?? "/").replace(/^\//, "");
    const tarball = tarballs.get(url);
    if (tarball) {
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(tarball);
      return;
    }
    const packument = packuments.get(url);
    if (packument) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(packument));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":"Not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    publish(name, versions, latest) {
      const entries = versions.map((v) => {
        const file = `tarballs/${name.replace("/", "__")}-${v.version}.tgz`;
        tarballs.set(file, v.tarball);
        const integrity = v.integrity ?? `sha512-${createHash("sha512").update(v.tarball).digest("base64")}`;
        return [v.version, { name, version: v.version, ...(v.bin ? { bin: v.bin } : {}), ...(v.engines ? { engines: v.engines } : {}), dist: { tarball: `${url}/${file}`, integrity } }] as const;
      });
      packuments.set(name, {
        name,
        "dist-tags": { latest: latest ?? versions.at(-1)?.version },
        versions: Object.fromEntries(entries),
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A real .tgz made with tar(1) from `files` (path under `package/` → contents; a leading `#!` makes it executable). */
export function packTarball(files: Record<string, string>): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), "fake-pkg-"));
  for (const [file, contents] of Object.entries(files)) {
    const target = path.join(dir, "package", file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, contents);
    chmodSync(target, contents.startsWith("#!") ? 0o755 : 0o644);
  }
  execFileSync("tar", ["--format=pax", "-czf", path.join(dir, "out.tgz"), "-C", dir, "package"]);
  return readFileSync(path.join(dir, "out.tgz"));
}

/** One raw tar entry, for tarballs tar(1) would refuse to make (absolute paths, `..`, links out). */
export interface RawEntry {
  readonly name: string;
  readonly type?: "0" | "2" | "1" | "3" | "5";
  readonly content?: string;
  readonly linkname?: string;
}

/** A hand-made ustar .tgz. */
export function rawTarball(entries: readonly RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = Buffer.from(entry.content ?? "");
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, "utf8");
    header.write("0000755\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${content.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write("00000000000\0", 136);
    header.write("        ", 148);
    header.write(entry.type ?? "0", 156);
    header.write(entry.linkname ?? "", 157, 100, "utf8");
    header.write("ustar\0", 257);
    header.write("00", 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
