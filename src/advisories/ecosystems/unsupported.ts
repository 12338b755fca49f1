import type { AdvisoryTrigger } from "../../queue/job.ts";
import type { Ecosystem } from "./types.ts";

/**
 * An ecosystem Patchwright recognises but cannot upgrade yet: the job answers
 * with a report naming the fix to make by hand, and clones nothing.
 */
export function unsupportedEcosystem(id: string, label: string, manifests: string): Ecosystem {
  return {
    id,
    supported: false,
    explain: (advisory: AdvisoryTrigger) =>
      [
        `Upgrading ${label} dependencies (${manifests}) is not supported yet: Patchwright upgrades npm dependencies only.`,
        advisory.firstPatched
          ? `Upgrade \`${advisory.package}\` to ${advisory.firstPatched} or later in \`${advisory.manifestPath}\` by hand, or let Dependabot open its security update.`
          : `No patched version of \`${advisory.package}\` is published yet: follow the advisory for a workaround.`,
      ].join(" "),
  };
}
