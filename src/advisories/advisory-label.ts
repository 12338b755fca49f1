import type { AdvisoryTrigger } from "../queue/job.ts";

/** `lodash (GHSA-35jh-r3h4-6jhm)`: how reports name an advisory. */
export function advisoryLabel(advisory: AdvisoryTrigger): string {
  return `${advisory.package} (${advisory.ghsaId})`;
}
