import { cargo } from "./cargo.ts";
import { go } from "./go.ts";
import { maven } from "./maven.ts";
import { npm } from "./npm.ts";
import { pip } from "./pip.ts";
import type { Ecosystem } from "./types.ts";
import { unsupportedEcosystem } from "./unsupported.ts";

/** GitHub's ecosystem names (as in `alert.dependency.package.ecosystem`) → the module that handles them. */
const BY_GITHUB_NAME: Readonly<Record<string, Ecosystem>> = {
  npm,
  pip,
  go,
  maven,
  rust: cargo,
  cargo,
};

/** The ecosystem module for an alert; one Patchwright does not know at all is "not supported yet" too. */
export function ecosystemFor(githubName: string): Ecosystem {
  return BY_GITHUB_NAME[githubName.toLowerCase()] ?? unsupportedEcosystem(githubName, githubName, "its manifests");
}
