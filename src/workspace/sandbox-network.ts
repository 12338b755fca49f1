/**
 * The network one command gets. Without `network: true` it is nothing but
 * the sandbox's own loopback. With it (the setup phase), by default, an
 * allowlisting proxy to package registries (`registry-proxy.ts`), started
 * for the command and stopped after it; or, as an explicit opt-out, the
 * host's whole network. See docs/0005-sandbox-bubblewrap-directly.md.
 */
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SandboxNetwork } from "./build-bwrap-args.ts";
import { DEFAULT_REGISTRY_HOSTS, normalizeHostPort, startRegistryProxy } from "./registry-proxy.ts";
import { stagedNodePath } from "./sandbox-staging.ts";
import type { SandboxUser } from "./sandbox-user.ts";

/**
 * What `run(..., { network: true })` may reach: `registries` (the default)
 * is the proxy and nothing else, `allowedHosts` being `host` (port 443) or
 * `host:port` entries (default `DEFAULT_REGISTRY_HOSTS`) and `extraHosts`
 * more of them on top (an operator's package index, from
 * PATCHWRIGHT_SETUP_ALLOWED_HOSTS); `host` shares the worker's whole
 * network, its loopback services included.
 */
export type SetupNetwork =
  | { readonly mode: "registries"; readonly allowedHosts?: readonly string[]; readonly extraHosts?: readonly string[] }
  | { readonly mode: "host" };

/** The `host:port` entries the proxy of one command allows: the sandbox's, then the command's own (`RunOptions.allowedHosts`). */
export function setupAllowlist(setup: SetupNetwork & { mode: "registries" }, commandHosts: readonly string[] = []): string[] {
  return [...new Set([...(setup.allowedHosts ?? DEFAULT_REGISTRY_HOSTS), ...(setup.extraHosts ?? []), ...commandHosts].map((entry) => normalizeHostPort(entry)))];
}

export interface OpenedNetwork {
  readonly network: SandboxNetwork;
  /** A line for the end of the output naming the refused hosts, or "". */
  refusedNote(): string;
  /** Stops the proxy, if any. Never throws. */
  close(): Promise<void>;
}

const NOTHING_TO_CLOSE: Omit<OpenedNetwork, "network"> = { refusedNote: () => "", close: async () => {} };

/**
 * Sets up the network of one command.
 * @param user a root worker's sandbox user, who must be able to reach the proxy's socket.
 * @param commandHosts more `host[:port]` entries allowed for this command only.
 * @param publicHosts more still, reached only at public addresses (a repository's `setup.allowed_hosts`).
 */
export async function openSandboxNetwork(
  setup: SetupNetwork,
  wanted: boolean,
  user?: SandboxUser,
  commandHosts: readonly string[] = [],
  publicHosts: readonly string[] = [],
): Promise<OpenedNetwork> {
  if (!wanted) return { network: { kind: "none" }, ...NOTHING_TO_CLOSE };
  if (setup.mode === "host") return { network: { kind: "host" }, ...NOTHING_TO_CLOSE };
  // The relay inside runs on the worker's own Node, whatever the repository installs
  // (staged under a neutral name: a bind's source path shows in the sandbox's mountinfo).
  const nodePath = stagedNodePath();
  // A private (0700) directory: only this worker's user (or its sandbox user) can reach the socket on the host.
  const dir = await mkdtemp(path.join(tmpdir(), "pw-"));
  try {
    const proxy = await startRegistryProxy({ socketPath: path.join(dir, "proxy.sock"), allowedHosts: setupAllowlist(setup, [...commandHosts, ...publicHosts]), publicOnlyHosts: publicHosts });
    if (user !== undefined) {
      await chown(dir, user.uid, user.gid);
      await chown(proxy.socketPath, user.uid, user.gid);
    }
    return {
      network: { kind: "proxy", socketPath: proxy.socketPath, nodePath },
      refusedNote: () =>
        (proxy.refused.length === 0 ? "" : `\n[patchwright: the setup network refused ${[...new Set(proxy.refused)].join(", ")}: not an allowed package registry]\n`) +
        (proxy.overloaded === 0 ? "" : `\n[patchwright: the setup network turned away ${proxy.overloaded} connections: too many open at once]\n`),
      close: async () => {
        await proxy.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
