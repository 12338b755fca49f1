/**
 * The small `sh` scripts an entry's `bin/` holds. They find the package
 * relative to themselves (`\${0%/*}/..`), so they work at the
 * sandbox mount (/opt/patchwright/…) and at the host path alike.
 */

/** One command of an entry's `bin/`. */
export interface Shim {
  readonly name: string;
  /** Runs a JavaScript file of the entry with the `node` on PATH, or a native binary of the entry. */
  readonly run: { readonly node: string } | { readonly exec: string; readonly args?: readonly string[] };
}

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

export function renderShim(shim: Shim): string {
  // ${0%/*}: $0 holds a slash whenever the shim was found on PATH; no dirname(1) needed.
  const here = '"${0%/*}"';
  if ("node" in shim.run) return `#!/bin/sh\nexec node ${here}/../${quote(shim.run.node)} "$@"\n`;
  const args = (shim.run.args ?? []).map(quote).join(" ");
  return `#!/bin/sh\nexec ${here}/../${quote(shim.run.exec)}${args ? ` ${args}` : ""} "$@"\n`;
}

/**
 * A `corepack` for an entry's `bin/`: the Node.js directory is read-only, so
 * `corepack enable` would fail with EROFS. Subcommands that would install or
 * activate a package manager succeed without writing when every manager they
 * name is this entry's (or none is named), printing one line; anything else
 * goes, with this entry's managers removed from the arguments, to the next
 * `corepack` on PATH after this one (another entry's shim or the real one).
 * @param commands the commands this entry provides (`pnpm`, `pnpx`).
 */
export function renderCorepackShim(label: string, commands: readonly string[]): string {
  const mine = commands.flatMap((c) => [c, `${c}@*`]).join("|");
  return `#!/bin/sh
# Patchwright provides ${label} read-only on PATH; Corepack would write into Node.js's directory.
case "$1" in
  enable|disable|prepare|install|use|up)
    cmd=$1; shift; first=1; named=0
    for a do
      if [ "$first" = 1 ]; then set --; first=0; fi
      case "$a" in
        ${mine}) ;;
        -*) set -- "$@" "$a" ;;
        *) set -- "$@" "$a"; named=1 ;;
      esac
    done
    if [ "$named" = 0 ]; then
      echo "corepack $cmd: nothing to do, Patchwright provides ${label} on PATH (read-only)."
      exit 0
    fi
    set -- "$cmd" "$@"
    ;;
esac
self=$(cd "\${0%/*}" && pwd -P)
# Only directories after this one: two shims never hand back to each other.
after=1
rest=$PATH:
while [ -n "$rest" ]; do
  dir=\${rest%%:*}; rest=\${rest#*:}
  if [ -n "$dir" ] && [ "$(cd "$dir" 2>/dev/null && pwd -P)" = "$self" ]; then after=0; fi
done
rest=$PATH:
while [ -n "$rest" ]; do
  dir=\${rest%%:*}; rest=\${rest#*:}
  [ -n "$dir" ] || continue
  if [ "$(cd "$dir" 2>/dev/null && pwd -P)" = "$self" ]; then after=1; continue; fi
  if [ "$after" = 1 ] && [ -x "$dir/corepack" ]; then exec "$dir/corepack" "$@"; fi
done
echo "corepack: no Corepack on PATH besides Patchwright's shim for ${label}." >&2
exit 127
`;
}
