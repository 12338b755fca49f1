import type { AdvisoryTrigger } from "../queue/job.ts";
import type { VersionChange } from "./ecosystems/types.ts";

/**
 * Our own guidance for the agent when an upgrade breaks the tests. It goes
 * with the maintainers' instructions (trusted, in the system prompt): the
 * upgrade is the point of the job and is not to be undone.
 */
export function upgradeInstructions(advisory: AdvisoryTrigger, moved: string, files: readonly string[]): string {
  return [
    `This job upgrades dependencies for security advisory ${advisory.ghsaId} (${moved}), and the tests broke with the new version.`,
    `Adapt the repository's code to the new API so the tests pass again. ${files.map((f) => `\`${f}\``).join(", ")} hold the upgrade and are protected: never downgrade, pin back or work around the upgraded package.`,
  ].join(" ");
}

/** The evidence block: what changed, the changelog between the versions (untrusted: the package author's text), the failure. */
export function upgradeEvidence(args: { advisory: AdvisoryTrigger; changes: readonly VersionChange[] | string; changelog: string }): string {
  const { advisory, changes } = args;
  return [
    `Security advisory ${advisory.ghsaId} (${advisory.severity}): ${advisory.summary}`,
    "Upgrade applied:",
    ...(typeof changes === "string" ? [`- ${changes}`] : changes.map((c) => `- ${c.name} ${c.from} -> ${c.to}${c.major ? " (major upgrade: breaking changes expected)" : ""}`)),
    "",
    args.changelog.trim() ? `Changelog of the upgraded package between these versions:\n${args.changelog.trim()}` : "The package ships no changelog for these versions.",
  ].join("\n");
}
