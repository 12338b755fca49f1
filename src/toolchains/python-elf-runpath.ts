/**
 * Rewrites the library search path (DT_RUNPATH / DT_RPATH) baked into an
 * ELF file, in place, as `chrpath` does. pyenv's `--enable-shared` builds
 * record their install directory there (`/root/.pyenv/versions/3.11.7/lib`):
 * a copy elsewhere would not find its libpython, or worse, would load the
 * system's libpython of the same minor version (Debian ships
 * libpython3.11.so.1.0). An `$ORIGIN`-relative path fixes that, and it is
 * never longer than the absolute one it replaces in practice; when it would
 * be, the file cannot be rewritten in place and the copy is refused.
 */
import path from "node:path";

const DT_RPATH = 15n;
const DT_RUNPATH = 29n;
const SHT_DYNAMIC = 6;

export type RunpathRewrite = { readonly changed: boolean; readonly bytes: Buffer } | { readonly error: string };

/** Whether the bytes start like an ELF file. */
export function isElf(bytes: Buffer): boolean {
  return bytes.length > 64 && bytes[0] === 0x7f && bytes.toString("latin1", 1, 4) === "ELF";
}

/**
 * Replaces every search path entry at or under `fromDir` by `$ORIGIN/…`
 * pointing at the same place relative to the file's new location.
 * @param bytes the ELF file (a copy: it is modified).
 * @param fileDir the directory the file is in, in the same tree as `toDir`.
 * @param fromDir the installation's original prefix; `toDir` its copy.
 */
export function rewriteRunpath(bytes: Buffer, fileDir: string, fromDir: string, toDir: string): RunpathRewrite {
  if (!isElf(bytes)) return { changed: false, bytes };
  if (bytes[4] !== 2 || bytes[5] !== 1) return { error: "not a 64-bit little-endian ELF file" };
  const shoff = Number(bytes.readBigUInt64LE(0x28));
  const shentsize = bytes.readUInt16LE(0x3a);
  const shnum = bytes.readUInt16LE(0x3c);
  const section = (index: number): { type: number; offset: number; size: number; link: number } => {
    const at = shoff + index * shentsize;
    return { type: bytes.readUInt32LE(at + 4), offset: Number(bytes.readBigUInt64LE(at + 0x18)), size: Number(bytes.readBigUInt64LE(at + 0x20)), link: bytes.readUInt32LE(at + 0x28) };
  };
  if (shoff === 0 || shnum === 0 || shoff + shnum * shentsize > bytes.length) return { error: "the file has no section headers" };
  let changed = false;
  for (let index = 0; index < shnum; index++) {
    const dynamic = section(index);
    if (dynamic.type !== SHT_DYNAMIC) continue;
    const strtab = section(dynamic.link);
    for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
      const tag = bytes.readBigInt64LE(at);
      if (tag === 0n) break;
      if (tag !== DT_RPATH && tag !== DT_RUNPATH) continue;
      const start = strtab.offset + Number(bytes.readBigUInt64LE(at + 8));
      const end = bytes.indexOf(0, start);
      if (end === -1) return { error: "the search path string is not terminated" };
      const old = bytes.toString("latin1", start, end);
      const entries = old.split(":").map((entry) => relocate(entry, fileDir, fromDir, toDir));
      const next = entries.join(":");
      if (next === old) continue;
      if (next.length > old.length) return { error: `its library search path ${old} cannot be rewritten in place as ${next} (longer)` };
      bytes.fill(0, start, end);
      bytes.write(next, start, "latin1");
      changed = true;
    }
  }
  return { changed, bytes };
}

function relocate(entry: string, fileDir: string, fromDir: string, toDir: string): string {
  const normalised = path.posix.normalize(entry);
  if (normalised !== fromDir && !normalised.startsWith(`${fromDir}/`)) return entry;
  const target = path.posix.join(toDir, path.posix.relative(fromDir, normalised));
  const relative = path.posix.relative(fileDir, target);
  return relative === "" ? "$ORIGIN" : `$ORIGIN/${relative}`;
}
