/**
 * Part of stage 4: the toolchains the failed job set up, resolved like CI
 * (its setup actions, then the repository's files) and provided from the
 * host's read-only cache; then a layer that puts them, the job's `env:` and
 * a per-workspace Python virtualenv in front of every command of the job:
 * reproduction, recipes, fixers and verification alike.
 */
import { cp, lstat, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PatchwrightError } from "../../errors.ts";
import { readRepoFile } from "../../reproduction/read-repo-file.ts";
import type { LocalToolchain, ReproductionPlan } from "../../reproduction/plan-reproduction.ts";
import type { ProvidedToolchains } from "../../toolchains/create-toolchain-provider.ts";
import { pythonIndexEnv } from "../../toolchains/python-index-env.ts";
import { type JobVirtualenv, PIP_QUIET_ENV, prepareJobVirtualenv, SANDBOX_VENV, VENV_CREATE_COMMAND } from "../../toolchains/python-venv.ts";
import { resolveToolRequests } from "../../toolchains/resolve-tool-requests.ts";
import type { MissingTool, ToolRequest } from "../../toolchains/types.ts";
import { withToolchains } from "../../toolchains/with-toolchains.ts";
import type { RunnerState } from "../../reproduction/runner-state.ts";
import { SANDBOX_PATH } from "../../workspace/sandbox-env.ts";
import type { Sandbox, Workspace } from "../../workspace/types.ts";
import type { JobContext, WorkspaceLayer } from "../job-context.ts";

/** One tool for the reports: what CI asked for, next to what ran here. */
export interface ToolchainRow {
  readonly tool: string;
  /** What CI set up, and where that was read (`20 (actions/setup-node node-version)`). */
  readonly ci: string;
  /** What ran here (`20.19.0, cached`, `the worker's 20.20.2`, `missing: …`). */
  readonly here: string;
}

export interface JobToolchains {
  readonly rows: readonly ToolchainRow[];
  readonly missing: readonly MissingTool[];
  /** Toolchain actions CI ran that Patchwright does not provide (setup-go, setup-java…): the reproduction approximates them. */
  readonly unprovided: readonly string[];
  readonly notes: readonly string[];
  readonly layer: WorkspaceLayer;
  /**
   * What the reproduction's setup steps left for the steps after them
   * (`$GITHUB_ENV`, `$GITHUB_PATH`): from now on, commands outside the plan
   * (the fixers', the recipes') start from it too, as one more step would.
   */
  carry(state: RunnerState): void;
}

/** Setup actions of languages whose toolchains come from elsewhere: the worker's own tools are used. */
const OTHER_TOOLCHAINS: readonly [RegExp, string][] = [
  [/^actions\/setup-go@/i, "Go"],
  [/^actions\/setup-java@/i, "Java"],
  [/^actions\/setup-dotnet@/i, ".NET"],
  [/^ruby\/setup-ruby@/i, "Ruby"],
  [/^(?:dtolnay\/rust-toolchain|actions-rs\/toolchain)@/i, "Rust"],
  [/^denoland\/setup-deno@/i, "Deno"],
  [/^astral-sh\/setup-uv@/i, "uv"],
  [/^(?:gradle\/actions\/setup-gradle|gradle\/gradle-build-action)@/i, "Gradle"],
  [/^shivammathur\/setup-php@/i, "PHP"],
  [/^erlef\/setup-beam@/i, "Erlang/Elixir"],
];

export async function prepareToolchains(
  ctx: JobContext,
  args: {
    workspace: Workspace;
    plan: ReproductionPlan;
    host: LocalToolchain;
    /** The operator's extra setup hosts. */
    allowedHosts: readonly string[];
    /** The repository's (`setup.allowed_hosts`): public addresses only. */
    repositoryHosts: readonly string[];
  },
): Promise<JobToolchains> {
  const { workspace, plan } = args;
  const started = performance.now();
  const toolchainActions = plan.actions.filter((action) => action.kind === "toolchain");
  const resolved = await resolveToolRequests({
    actions: toolchainActions.map(({ uses, with: inputs, step }) => ({ uses, with: inputs, step })),
    files: { read: (file) => readRepoFile(workspace.dir, file) },
    scripts: plan.steps.map((step) => step.command),
    directory: plan.jobCwd,
  });
  const provider = ctx.deps.toolchains;
  const provided: ProvidedToolchains = provider
    ? await provider.provide(resolved.requests, { node: args.host.node }, ctx.signal)
    : { tools: [], missing: [], notes: resolved.requests.length > 0 ? ["This worker has no toolchain cache: the sandbox's own tools are used."] : [] };
  const unprovided = toolchainActions.flatMap((action) => {
    const language = OTHER_TOOLCHAINS.find(([pattern]) => pattern.test(action.uses))?.[1];
    return language === undefined ? [] : [`${language} (\`${action.uses}\`): not provided by Patchwright; the worker's own tools are used.`];
  });
  const rows = toolchainRows(resolved.requests, provided, args.host);
  const python = provided.tools.some((tool) => tool.tool === "python");
  const index = python && ctx.deps.pythonIndex ? pythonIndexEnv(ctx.deps.pythonIndex) : undefined;
  const setupHosts = [...args.allowedHosts, ...(index ? [index.allowedHost] : [])];
  const durationMs = Math.round(performance.now() - started);
  ctx.record("toolchain", {
    durationMs,
    requests: resolved.requests,
    tools: provided.tools.map(({ tool, version, cached, durationMs: ms }) => ({ tool, version, cached, durationMs: ms })),
    missing: provided.missing,
    notes: [...resolved.notes, ...provided.notes, ...unprovided],
  });

  // Each workspace (the first, and every fixer's fork) gets its own writable directories: a prefix for global
  // installs (`npm install -g npm@8`, `pnpm add -g`; the tools themselves are read-only) and, for Python, a
  // virtualenv. A fork starts from copies of its base's.
  const scratch = new WeakMap<Workspace, string>();
  const trust = await workerTrust();
  let carried: RunnerState | undefined;
  const withCarried = (inner: Sandbox): Sandbox => ({
    ...inner,
    run: (command, options = {}) => {
      if (carried === undefined) return inner.run(command, options);
      const path = carried.pathPrepend.length > 0 && options.env?.["PATH"] === undefined ? { PATH: [...carried.pathPrepend, SANDBOX_PATH].join(":") } : {};
      return inner.run(command, { ...options, env: { ...carried.env, ...path, ...options.env } });
    },
  });
  const layer: WorkspaceLayer = async (opened, base) => {
    const dir = await mkdtemp(path.join(tmpdir(), "pw-job-"));
    const global = path.join(dir, "global");
    const from = base === undefined ? undefined : scratch.get(base);
    if (from !== undefined) await cp(from, dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, force: true });
    else for (const sub of ["global/bin", "global/lib", "global/pnpm"]) await mkdir(path.join(dir, sub), { recursive: true });
    const venv = python ? await virtualenvIn(path.join(dir, "venv"), from !== undefined) : undefined;
    const sandbox = withCarried(withToolchains(opened.sandbox, {
      tools: provided.tools,
      jobDirs: [...(venv?.jobDirs ?? []), { hostDir: global, sandboxDir: SANDBOX_GLOBAL, binDirs: ["bin", "pnpm"] }],
      env: { ...plan.jobEnv, ...trust, ...GLOBAL_ENV, ...(venv?.env ?? {}), ...(index?.env ?? {}) },
      setupHosts,
      repositoryHosts: args.repositoryHosts,
    }));
    const layered: Workspace = {
      ...opened,
      sandbox,
      dispose: async () => {
        await opened.dispose();
        await rm(dir, { recursive: true, force: true });
      },
    };
    try {
      if (venv !== undefined && from === undefined) {
        const created = await sandbox.run(VENV_CREATE_COMMAND, { network: false, timeoutMs: 120_000, signal: ctx.signal });
        if (created.exitCode !== 0) throw new PatchwrightError("sandbox_unavailable", `The job's Python virtualenv could not be created (exit ${created.exitCode}): ${created.output.slice(-500)}`);
      }
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    scratch.set(layered, dir);
    return layered;
  };
  return {
    rows,
    missing: provided.missing,
    unprovided,
    notes: [...resolved.notes, ...provided.notes, ...unprovided],
    layer,
    carry: (state) => {
      carried = state;
    },
  };
}

/** Where global installs go inside the sandbox (writable, per workspace). */
const SANDBOX_GLOBAL = "/opt/patchwright/global";
const GLOBAL_ENV: Readonly<Record<string, string>> = { NPM_CONFIG_PREFIX: SANDBOX_GLOBAL, PNPM_HOME: `${SANDBOX_GLOBAL}/pnpm` };

/**
 * What the worker's own npm and Node trust and read, kept for the job's
 * tools: moving npm's prefix (or running a provisioned npm) would otherwise
 * drop the system's global npmrc (an operator's registry mirror, its `cafile`),
 * and a provisioned Node would not see a CA the worker was told to trust.
 * Only system paths count: they are what the sandbox shows.
 */
async function workerTrust(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const file of ["/usr/etc/npmrc", "/usr/local/etc/npmrc", "/etc/npmrc"]) {
    if ((await lstat(file).catch(() => null))?.isFile()) {
      env["NPM_CONFIG_GLOBALCONFIG"] = file;
      break;
    }
  }
  const extraCa = process.env["NODE_EXTRA_CA_CERTS"];
  if (extraCa !== undefined && /^\/(?:etc|usr)\//.test(extraCa) && (await lstat(extraCa).catch(() => null))?.isFile()) env["NODE_EXTRA_CA_CERTS"] = extraCa;
  return env;
}

/** The virtualenv directory of a workspace: new (empty, created in the sandbox next) or copied from its base's. */
async function virtualenvIn(dir: string, copied: boolean): Promise<JobVirtualenv> {
  if (!copied) return prepareJobVirtualenv(dir);
  return { jobDirs: [{ hostDir: dir, sandboxDir: SANDBOX_VENV, binDirs: ["bin"] }], env: { VIRTUAL_ENV: SANDBOX_VENV, ...PIP_QUIET_ENV } };
}

function toolchainRows(requests: readonly ToolRequest[], provided: ProvidedToolchains, host: LocalToolchain): ToolchainRow[] {
  return requests.map((request) => {
    const tool = provided.tools.find((t) => t.tool === request.tool);
    const missing = provided.missing.find((m) => m.request.tool === request.tool);
    const own = request.tool === "node" ? host.node : request.tool === "python" ? host.python : undefined;
    const here = tool
      ? `${tool.version}${tool.cached ? " (cached)" : " (downloaded)"}`
      : missing
        ? `missing: ${missing.reason}`
        : own !== undefined
          ? `${own} (the worker's own)`
          : "the worker's own";
    return { tool: request.tool, ci: `${request.spec} (${request.source})`, here };
  });
}

/** The toolchain table for reports. */
export function renderToolchainTable(rows: readonly ToolchainRow[]): string {
  if (rows.length === 0) return "";
  return ["| tool | CI | here |", "| --- | --- | --- |", ...rows.map((r) => `| ${r.tool} | ${r.ci.replace(/\|/g, "\\|")} | ${r.here.replace(/\|/g, "\\|")} |`)].join("\n");
}
