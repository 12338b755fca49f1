import { AdvisoryTrigger } from "../queue/job.ts";
import type { Vulnerability } from "./choose-version.ts";

/**
 * The fields of a Dependabot alert this app reads. The webhook payload's
 * `alert` and the REST API's alert objects both have this shape.
 */
export interface AlertLike {
  readonly number: number;
  readonly state?: string;
  readonly html_url: string;
  readonly dependency: {
    readonly package?: { readonly ecosystem: string; readonly name: string };
    readonly manifest_path?: string;
    readonly scope?: string | null;
  };
  readonly security_advisory: {
    readonly ghsa_id: string;
    readonly cve_id: string | null;
    readonly summary: string;
    readonly severity: string;
    readonly vulnerabilities?: readonly VulnerabilityLike[];
  };
  readonly security_vulnerability: VulnerabilityLike;
}

interface VulnerabilityLike {
  readonly package: { readonly ecosystem: string; readonly name: string };
  readonly vulnerable_version_range: string;
  readonly first_patched_version: { readonly identifier: string } | null;
}

export type ParsedAlert = { ok: true; trigger: AdvisoryTrigger } | { ok: false; reason: string };

/**
 * A Dependabot alert as the job's trigger. The vulnerable range is every range
 * the advisory gives for this package (`< 0.2.4 || >= 1.0.0, < 1.2.6`), so a
 * package installed at several majors is judged right at each of them.
 */
export function parseAlert(alert: AlertLike): ParsedAlert {
  const pkg = alert.dependency.package ?? alert.security_vulnerability.package;
  const manifestPath = alert.dependency.manifest_path;
  if (!pkg?.name || !pkg.ecosystem) return { ok: false, reason: "the alert names no package" };
  if (!manifestPath) return { ok: false, reason: "the alert names no manifest" };
  const sameVulnerabilities = (alert.security_advisory.vulnerabilities ?? []).filter(
    (v) => v.package.name === pkg.name && v.package.ecosystem === pkg.ecosystem,
  );
  const ranges = unique([alert.security_vulnerability.vulnerable_version_range, ...sameVulnerabilities.map((v) => v.vulnerable_version_range)]);
  const firstPatched = alert.security_vulnerability.first_patched_version?.identifier;
  const parsed = AdvisoryTrigger.safeParse({
    type: "advisory",
    alertNumber: alert.number,
    ghsaId: alert.security_advisory.ghsa_id,
    ...(alert.security_advisory.cve_id ? { cveId: alert.security_advisory.cve_id } : {}),
    severity: alert.security_advisory.severity,
    summary: alert.security_advisory.summary,
    url: alert.html_url,
    ecosystem: pkg.ecosystem,
    package: pkg.name,
    vulnerableRanges: ranges,
    ...(firstPatched ? { firstPatched } : {}),
    manifestPath,
    ...(alert.dependency.scope ? { scope: alert.dependency.scope } : {}),
  });
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  return { ok: true, trigger: parsed.data };
}

/** The vulnerability of one package, merged over its alerts (the trigger's and any other open one). */
export function mergeVulnerability(triggers: readonly Pick<AdvisoryTrigger, "vulnerableRanges" | "firstPatched">[]): Vulnerability {
  return {
    ranges: unique(triggers.flatMap((t) => t.vulnerableRanges)),
    firstPatched: unique(triggers.flatMap((t) => (t.firstPatched ? [t.firstPatched] : []))),
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => v.trim() !== ""))];
}
