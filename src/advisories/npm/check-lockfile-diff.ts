import type { Inventory } from "./read-lockfile.ts";

export interface LockfileDiff {
  /** `name@version` entries that appeared and disappeared, sorted. */
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Sentences naming changes outside what the upgrade needs (empty = minimal). */
  readonly problems: readonly string[];
}

/**
 * Compares a lockfile before and after the upgrade. Allowed to change: the
 * upgraded packages (`seeds`) and everything reachable from them through
 * dependencies, before or after (what the old version needed may go, what the
 * new one needs may come). Anything else changing means the package manager
 * re-resolved unrelated packages: the upgrade is not minimal.
 */
export function checkLockfileDiff(before: Inventory, after: Inventory, seeds: readonly string[]): LockfileDiff {
  const count = (inv: Inventory) => {
    const counts = new Map<string, number>();
    for (const e of inv.entries) counts.set(`${e.name}@${e.version}`, (counts.get(`${e.name}@${e.version}`) ?? 0) + 1);
    return counts;
  };
  const b = count(before);
  const a = count(after);
  const added = [...a.keys()].filter((k) => (a.get(k) ?? 0) > (b.get(k) ?? 0)).sort();
  const removed = [...b.keys()].filter((k) => (b.get(k) ?? 0) > (a.get(k) ?? 0)).sort();

  const allowed = reachable([...before.entries, ...after.entries], seeds);
  const nameOf = (id: string) => id.slice(0, id.lastIndexOf("@"));
  const problems: string[] = [];
  const stray = [...new Set([...added, ...removed].filter((id) => !allowed.has(nameOf(id))))];
  if (stray.length > 0) problems.push(`unrelated lockfile entries changed: ${stray.slice(0, 10).map((s) => `\`${s}\``).join(", ")}${stray.length > 10 ? ` and ${stray.length - 10} more` : ""}`);
  for (const name of new Set([...Object.keys(before.root), ...Object.keys(after.root)])) {
    if (before.root[name] !== after.root[name] && !seeds.includes(name)) problems.push(`the lockfile's root requirement of \`${name}\` changed`);
  }
  return { added, removed, problems };
}

/** Names reachable from `seeds` through any entry's dependencies (by name: every version counts). */
function reachable(entries: Inventory["entries"], seeds: readonly string[]): Set<string> {
  const depsByName = new Map<string, Set<string>>();
  for (const e of entries) {
    const set = depsByName.get(e.name) ?? new Set<string>();
    for (const dep of Object.keys(e.dependencies)) set.add(dep);
    depsByName.set(e.name, set);
  }
  const seen = new Set<string>(seeds);
  const queue = [...seeds];
  while (queue.length > 0) {
    for (const dep of depsByName.get(queue.pop()!) ?? []) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      queue.push(dep);
    }
  }
  return seen;
}
