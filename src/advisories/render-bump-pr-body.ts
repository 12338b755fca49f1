import type { WorkspaceDiff } from "../workspace/types.ts";
import type { AdvisoryTrigger } from "../queue/job.ts";
import type { CommandResult } from "../workspace/types.ts";
import type { UpgradeResult, VersionChange } from "./ecosystems/types.ts";
import { fence, fold, openedBy, seconds, tail } from "../github/markdown.ts";

type Upgraded = Extract<UpgradeResult, { status: "upgraded" }>;

export interface BumpPrBodyInput {
  /** The alert that started the job, then any other open alert of the package it also covers. */
  readonly advisories: readonly AdvisoryTrigger[];
  /** One per project (manifest directory) the package was upgraded in. */
  readonly upgrades: readonly Upgraded[];
  readonly command: string;
  /** The tests right after the upgrade. */
  readonly afterUpgrade: CommandResult;
  /** The job's model spending, all roles together. */
  readonly spent: { readonly tokens: number; readonly costUsd: number };
  /** When the upgrade broke the tests: the code changes that made them pass again. */
  readonly fix?: {
    readonly summary: string;
    readonly diagnosis: string;
    readonly after: CommandResult;
    readonly diff: WorkspaceDiff;
    readonly trace: readonly string[];
    readonly usage: { readonly turns: number; readonly promptTokens: number; readonly completionTokens: number };
    readonly changelog: string;
  };
}

/** `[security] bump lodash from 4.17.20 to 4.17.21 (GHSA-35jh-r3h4-6jhm)` */
export function bumpPrTitle(advisory: AdvisoryTrigger, upgrade: Upgraded): string {
  return `[security] bump ${advisory.package} from ${upgrade.versions.from.join(", ")} to ${upgrade.versions.to.join(", ")} (${advisory.ghsaId})`;
}

/** The pull request body: the advisory, the version change and why, the tests, and any code change. Redact before sending. */
export function renderBumpPrBody(input: BumpPrBodyInput): string {
  const green = input.afterUpgrade.exitCode === 0;
  return [
    "### Security advisory",
    ...input.advisories.map(describeAdvisory),
    "",
    "### The upgrade",
    ...input.upgrades.flatMap(describeUpgrade),
    "### Tests",
    "| | command | exit code | duration |",
    "| --- | --- | --- | --- |",
    `| after the upgrade | \`${input.command}\` | ${input.afterUpgrade.exitCode} ${green ? "✅" : "❌"} | ${seconds(input.afterUpgrade.durationMs)} |`,
    ...(input.fix ? [`| after the code changes | \`${input.command}\` | ${input.fix.after.exitCode} ✅ | ${seconds(input.fix.after.durationMs)} |`] : []),
    "",
    fold(green ? "Test output" : "Test output after the upgrade", fence(tail(input.afterUpgrade.output))),
    "",
    "### Code changes",
    ...(input.fix ? describeFix(input.fix) : ["None: the tests pass with the new version as they are."]),
    "",
    openedBy(input.spent, "for a Dependabot alert"),
  ].join("\n");
}

function describeUpgrade(u: Upgraded): string[] {
  const parents = u.changes.some((c) => c.how === "parent");
  return [
    `In ${u.files.map((f) => `\`${f}\``).join(" and ")}, with ${u.tool}:`,
    "",
    ...u.changes.map(describeChange),
    "",
    `Lockfile \`${u.lockfile.path}\` regenerated and checked: only the upgraded package${parents ? "s" : ""} and what ${parents ? "they need" : "its new version needs"} changed.`,
    fold("Lockfile entries", [...u.lockfile.removed.map((e) => `- \`${e}\``), ...u.lockfile.added.map((e) => `+ \`${e}\``)].join("\n") || "(none)"),
    "",
  ];
}

function describeAdvisory(a: AdvisoryTrigger): string {
  const origin = /^https?:\/\/[^/]+/.exec(a.url)?.[0] ?? "https://github.com";
  return [
    `**[${a.ghsaId}](${origin}/advisories/${a.ghsaId})**${a.cveId ? ` (${a.cveId})` : ""}, severity **${a.severity}**: ${a.summary.trim()}`,
    `Vulnerable: ${a.vulnerableRanges.map((r) => `\`${r}\``).join(" or ")}${a.firstPatched ? `; first patched: ${a.firstPatched}` : ""}. [Alert #${a.alertNumber}](${a.url}) on \`${a.manifestPath}\`${a.scope ? ` (${a.scope})` : ""}.`,
  ].join("\n");
}

function describeChange(c: VersionChange): string {
  const how = {
    direct: "direct dependency",
    refresh: "lockfile refresh within the ranges its dependents accept",
    parent: `parent of \`${c.via ?? "?"}\` bumped`,
    override: `override under ${c.via ?? "its parents"}`,
  }[c.how];
  const spec = c.spec ? ` (\`${c.spec.from}\` → \`${c.spec.to}\`)` : "";
  return `- \`${c.name}\` ${c.from} → **${c.to}**, ${how}${spec}${c.major ? " — ⚠️ **major upgrade**" : ""}. Why: ${c.reason}`;
}

function describeFix(fix: NonNullable<BumpPrBodyInput["fix"]>): string[] {
  return [
    "The upgrade broke the tests; Patchwright adapted the code to the new version.",
    "",
    fix.summary.trim() || "(no summary)",
    "",
    ...fix.diff.files.map((f) => `- \`${f.path}\` (+${f.insertions} −${f.deletions})`),
    "",
    fix.diagnosis.trim() ? fold("Diagnosis", fix.diagnosis.trim()) : "",
    fix.changelog.trim() ? fold("Changelog used as evidence", fence(fix.changelog.trim())) : "No changelog was found in the package; the failure was the evidence.",
    fold("Test output after the code changes", fence(tail(fix.after.output))),
    fold(
      `Trace (${fix.usage.turns} turns, ${fix.usage.promptTokens + fix.usage.completionTokens} tokens)`,
      fix.trace.map((line) => `1. ${line.replace(/\n/g, " ")}`).join("\n") || "(empty)",
    ),
  ];
}

/** The body of a PR onto Dependabot's branch that makes its tests pass. Redact before sending. */
export function renderDependabotFixBody(input: {
  advisory: AdvisoryTrigger;
  dependabot: { number: number; headRef: string };
  command: string;
  before: CommandResult;
  after: CommandResult;
  summary: string;
  diagnosis: string;
  diff: WorkspaceDiff;
  trace: readonly string[];
  changelog: string;
  spent: { tokens: number; costUsd: number };
}): string {
  return [
    "### Security advisory",
    describeAdvisory(input.advisory),
    "",
    `Dependabot's #${input.dependabot.number} upgrades \`${input.advisory.package}\` for it, and its tests fail. This pull request targets its branch \`${input.dependabot.headRef}\`: merge it there, then merge #${input.dependabot.number}.`,
    "",
    "### Tests",
    "| | command | exit code | duration |",
    "| --- | --- | --- | --- |",
    `| Dependabot's branch | \`${input.command}\` | ${input.before.exitCode} ❌ | ${seconds(input.before.durationMs)} |`,
    `| with this change | \`${input.command}\` | ${input.after.exitCode} ✅ | ${seconds(input.after.durationMs)} |`,
    "",
    fold("Test output on Dependabot's branch", fence(tail(input.before.output))),
    "",
    "### Code changes",
    input.summary.trim() || "(no summary)",
    "",
    ...input.diff.files.map((f) => `- \`${f.path}\` (+${f.insertions} −${f.deletions})`),
    "",
    input.diagnosis.trim() ? fold("Diagnosis", input.diagnosis.trim()) : "",
    input.changelog.trim() ? fold("Changelog used as evidence", fence(input.changelog.trim())) : "No changelog was found in the package; the failure was the evidence.",
    fold("Trace", input.trace.map((line) => `1. ${line.replace(/\n/g, " ")}`).join("\n") || "(empty)"),
    "",
    openedBy(input.spent, "for a Dependabot alert"),
  ].join("\n");
}
