/** The setup network's allowlist entries, `host:port`, in one spelling. */
import { PatchwrightError } from "../errors.ts";

/**
 * Normalises an allowlist entry (`host` means port 443; `host:port`;
 * `[v6]:port`) to `host:port`, lower-case and without a trailing dot.
 * @throws PatchwrightError `internal` for an entry that is not a host.
 */
export function normalizeHostPort(entry: string, defaultPort = 443): string {
  const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+))(?::(\d{1,5}))?$/i.exec(entry.trim());
  const port = Number(match?.[3] ?? defaultPort);
  if (match === null || port < 1 || port > 65535) {
    throw new PatchwrightError("internal", `"${entry}" is not a host or host:port; fix the setup network allowlist.`);
  }
  const host = (match[1] === undefined ? (match[2] ?? "").replace(/\.$/, "") : `[${match[1]}]`).toLowerCase();
  return `${host}:${port}`;
}
