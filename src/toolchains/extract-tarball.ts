/**
 * Unpacks a verified npm tarball (.tgz) into a directory with a small tar
 * reader of our own, so that nothing in a hostile tarball can write outside
 * it. The first path component is dropped (npm's `package/`). Refused, and
 * the whole extraction fails: absolute paths, `..` segments, hard links,
 * device files and FIFOs, symbolic links that point outside the directory,
 * and anything that would be written through a link that leads outside.
 * Files get mode 0444 or 0555 (executable in the tarball), so the caller
 * only has to seal directories.
 */
import { createReadStream } from "node:fs";
import { lstat, mkdir, open, realpath, symlink, unlink } from "node:fs/promises";
import path from "node:path";
import { createGunzip } from "node:zlib";

const BLOCK = 512;
/** A pax or GNU long-name header larger than this is not a name. */
const MAX_META_BYTES = 1024 * 1024;

/** The tarball is unsafe or malformed; the message says which entry and why. */
export class UnsafeTarball extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsafeTarball";
  }
}

/** Unpacks `tarball` (gzip) into `dir`, which must exist and be empty. */
export async function extractTarball(tarball: string, dir: string): Promise<void> {
  const root = await realpath(dir);
  const reader = createBlockReader(createReadStream(tarball).pipe(createGunzip())[Symbol.asyncIterator]());
  const links: string[] = [];
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const header = await reader.read(BLOCK);
    if (header === null || header.every((byte) => byte === 0)) break;
    verifyChecksum(header);
    const type = String.fromCharCode(header[156] ?? 0);
    const headerSize = readNumber(header, 124, 12);
    if (type === "x" || type === "g" || type === "L" || type === "K") {
      if (headerSize > MAX_META_BYTES) throw new UnsafeTarball(`a ${type} header of ${headerSize} bytes`);
      const data = (await reader.read(padded(headerSize))) ?? fail("the tarball ends inside a header");
      const text = data.subarray(0, headerSize).toString("utf8");
      if (type === "x") pax = parsePax(data.subarray(0, headerSize));
      if (type === "L") longName = text.replace(/\0.*$/s, "");
      if (type === "K") longLink = text.replace(/\0.*$/s, "");
      continue;
    }
    const size = pax["size"] !== undefined ? Number(pax["size"]) : headerSize;
    if (!Number.isSafeInteger(size) || size < 0) throw new UnsafeTarball(`an entry has an invalid size`);
    const name = pax["path"] ?? longName ?? readName(header);
    const linkName = pax["linkpath"] ?? longLink ?? readString(header, 157, 100);
    pax = {};
    longName = undefined;
    longLink = undefined;
    const relative = safeRelative(name);
    if (relative === null) {
      await reader.skip(padded(size));
      continue;
    }
    const target = path.join(root, relative);
    await assertInside(root, path.dirname(target), name);
    const mode = readNumber(header, 100, 8);
    switch (type) {
      case "0":
      case "\0":
      case "7":
        await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
        await writeFileEntry(target, mode & 0o111 ? 0o555 : 0o444, size, reader);
        await reader.skip(padded(size) - size);
        break;
      case "5":
        await mkdir(target, { recursive: true, mode: 0o755 });
        await reader.skip(padded(size));
        break;
      case "2": {
        if (path.posix.isAbsolute(linkName) || !isInside(path.posix.normalize(path.posix.join(path.posix.dirname(relative), linkName)))) {
          throw new UnsafeTarball(`${name} is a link to ${linkName}, outside the package`);
        }
        await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
        await unlink(target).catch(() => undefined);
        await symlink(linkName, target);
        links.push(target);
        await reader.skip(padded(size));
        break;
      }
      case "1":
        throw new UnsafeTarball(`${name} is a hard link (to ${linkName}); packages do not need them`);
      case "3":
      case "4":
      case "6":
        throw new UnsafeTarball(`${name} is a device file or FIFO`);
      default:
        throw new UnsafeTarball(`${name} has tar entry type "${type}", which is not unpacked`);
    }
  }
  // A chain of links can point outside even when each one alone does not.
  for (const link of links) {
    const resolved = await realpath(link).catch(() => null);
    if (resolved !== null && !isInside(path.relative(root, resolved))) throw new UnsafeTarball(`${path.relative(root, link)} leads outside the package`);
  }
}

/** The member path without its first component; null for that component itself. */
function safeRelative(name: string): string | null {
  if (name.includes("\0") || path.posix.isAbsolute(name) || /^[A-Za-z]:/.test(name)) throw new UnsafeTarball(`${JSON.stringify(name)} is an absolute path`);
  const parts = name.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw new UnsafeTarball(`${JSON.stringify(name)} climbs out with ".."`);
  if (parts.length <= 1) return null;
  return parts.slice(1).join("/");
}

function isInside(relative: string): boolean {
  return relative !== ".." && !relative.startsWith("../") && !path.isAbsolute(relative);
}

/** Refuses to create anything under a directory that resolves outside `root` (through a link). */
async function assertInside(root: string, dir: string, name: string): Promise<void> {
  // Only the part that exists can be resolved; what is missing will be created as plain directories.
  let existing = dir;
  while (!(await lstat(existing).then(() => true, () => false))) existing = path.dirname(existing);
  const resolved = await realpath(existing);
  if (!isInside(path.relative(root, resolved))) throw new UnsafeTarball(`${name} would be written through a link outside the package`);
}

async function writeFileEntry(target: string, mode: number, size: number, reader: BlockReader): Promise<void> {
  // An earlier entry of the same name (or a link) is replaced, never written through.
  await unlink(target).catch(() => undefined);
  const handle = await open(target, "wx", 0o600);
  try {
    let left = size;
    while (left > 0) {
      const chunk = (await reader.read(Math.min(left, 1024 * 1024))) ?? fail(`the tarball ends inside ${target}`);
      await handle.write(chunk);
      left -= chunk.length;
    }
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function fail(message: string): never {
  throw new UnsafeTarball(message);
}

function readString(header: Buffer, offset: number, length: number): string {
  const field = header.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString("utf8");
}

/** ustar splits long names into prefix (345, 155) and name (0, 100). */
function readName(header: Buffer): string {
  const name = readString(header, 0, 100);
  const ustar = readString(header, 257, 6).startsWith("ustar");
  const prefix = ustar ? readString(header, 345, 155) : "";
  return prefix ? `${prefix}/${name}` : name;
}

/** Octal, or GNU's base-256 for large values (high bit of the first byte set). */
function readNumber(header: Buffer, offset: number, length: number): number {
  const field = header.subarray(offset, offset + length);
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = readString(header, offset, length).trim();
  return text === "" ? 0 : parseInt(text, 8);
}

function verifyChecksum(header: Buffer): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  if (sum !== readNumber(header, 148, 8)) throw new UnsafeTarball("a tar header has a wrong checksum (not a tarball, or a damaged one)");
}

/** pax records: `<length> <key>=<value>\n`, the length in bytes and counting itself. */
function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const length = space === -1 ? NaN : Number(data.subarray(offset, space).toString("ascii"));
    if (!Number.isSafeInteger(length) || length <= space - offset) break;
    const body = data.subarray(space + 1, offset + length).toString("utf8").replace(/\n$/, "");
    const eq = body.indexOf("=");
    if (eq > 0) records[body.slice(0, eq)] = body.slice(eq + 1);
    offset += length;
  }
  return records;
}

interface BlockReader {
  /** Exactly `n` bytes (fewer only at the end of the stream), or null at the end. */
  read(n: number): Promise<Buffer | null>;
  skip(n: number): Promise<void>;
}

function createBlockReader(source: AsyncIterator<Buffer>): BlockReader {
  let buffered: Buffer[] = [];
  let length = 0;
  let done = false;
  const fill = async (n: number): Promise<void> => {
    while (length < n && !done) {
      const next = await source.next();
      if (next.done) done = true;
      else {
        buffered.push(next.value);
        length += next.value.length;
      }
    }
  };
  const take = (n: number): Buffer => {
    const all = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    buffered = rest.length > 0 ? [rest] : [];
    length = rest.length;
    return out;
  };
  return {
    async read(n) {
      await fill(n);
      if (length === 0) return null;
      return take(Math.min(n, length));
    },
    async skip(n) {
      let left = n;
      while (left > 0) {
        await fill(Math.min(left, 1024 * 1024));
        if (length === 0) return;
        left -= take(Math.min(left, length)).length;
      }
    },
  };
}
