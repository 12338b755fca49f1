import type { AdvisoryTrigger } from "../../queue/job.ts";
import type { Sandbox } from "../../workspace/types.ts";
import type { Vulnerability } from "../choose-version.ts";

/** One package version change the upgrade made, and why. */
export interface VersionChange {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /**
   * `direct`: the project's own requirement, bumped. `refresh`: the lockfile
   * re-resolved within the ranges dependents already accept. `parent`: the
   * direct dependency that pulls the package in, bumped. `override`: forced
   * under a parent that cannot be bumped.
   */
  readonly how: "direct" | "refresh" | "parent" | "override";
  /** The package whose requirement was bumped or overridden (for `parent` and `override`). */
  readonly via?: string;
  /** Requirement text before and after, when package.json changed (`^4.17.20` → `^4.17.21`). */
  readonly spec?: { readonly from: string; readonly to: string };
  readonly major: boolean;
  /** Why this version, one or two sentences. */
  readonly reason: string;
}

export interface UpgradeInput {
  /** Host path of the checkout. */
  readonly dir: string;
  readonly sandbox: Sandbox;
  readonly advisory: AdvisoryTrigger;
  /** Every vulnerable range of the package (from all its open alerts). */
  readonly vulnerability: Vulnerability;
  /** Progress for the job's ledger. */
  onEvent(kind: string, data: unknown): void;
}

export type UpgradeResult =
  | {
      readonly status: "upgraded";
      /** `npm`, `pnpm@9 (npx)`… */
      readonly tool: string;
      /** Repository-relative paths of the manifest and lockfile the upgrade changed. */
      readonly files: readonly string[];
      readonly changes: readonly VersionChange[];
      /** The alerted package: its vulnerable versions before, and the versions that replaced them. */
      readonly versions: { readonly from: readonly string[]; readonly to: readonly string[] };
      /** `name@version` lockfile entries that came and went (checked minimal). */
      readonly lockfile: { readonly path: string; readonly added: readonly string[]; readonly removed: readonly string[] };
    }
  /** Nothing to do: every installed copy is outside the vulnerable range already. */
  | { readonly status: "safe"; readonly versions: readonly string[] }
  /** The ecosystem, the project layout or the package manager is not handled; `reason` says what to do. */
  | { readonly status: "unsupported"; readonly reason: string }
  /** The upgrade could not be made minimal or at all; the checkout is left as it was. */
  | { readonly status: "failed"; readonly reason: string; readonly details?: string };

/** The changelog and release notes between two versions, best effort. */
export interface ChangelogInput {
  readonly sandbox: Sandbox;
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** Directory (repository-relative) to run registry commands in, for its `.npmrc`. */
  readonly cwd: string;
}

/** One package ecosystem (GitHub's names: `npm`, `pip`, `maven`, `go`, `rust`…). */
export type Ecosystem =
  | {
      readonly id: string;
      readonly supported: true;
      /** Moves the package out of the vulnerable range in the checkout (manifest + lockfile only). */
      upgrade(input: UpgradeInput): Promise<UpgradeResult>;
      /** Release notes between two versions, or "" when none can be found. */
      changelog(input: ChangelogInput): Promise<string>;
    }
  | {
      readonly id: string;
      readonly supported: false;
      /** The "not supported yet" report, naming what to do instead. */
      explain(advisory: AdvisoryTrigger): string;
    };
