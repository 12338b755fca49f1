/**
 * A GitHub Actions workflow file, reduced to what reproduction needs: jobs,
 * their matrix, `defaults.run`, `env` at every level and the steps. Unknown
 * keys are ignored; a malformed file is an error value, never a throw.
 */
import { parseDocument } from "yaml";
import { z } from "zod";

/** `defaults.run` of the workflow or of a job. */
export interface RunDefaults {
  readonly shell?: string | undefined;
  readonly workingDirectory?: string | undefined;
}

/** `env:` as written: a map, or (rarely) one expression that yields the map. */
export interface EnvBlock {
  readonly values: Readonly<Record<string, string>>;
  readonly expression?: string | undefined;
}

export interface MatrixSpec {
  /** Dimensions in file order: a list of values, or an expression (e.g. `fromJSON(...)`). */
  readonly dimensions: ReadonlyArray<readonly [string, readonly unknown[] | string]>;
  readonly include: readonly Readonly<Record<string, unknown>>[] | string;
  readonly exclude: readonly Readonly<Record<string, unknown>>[] | string;
}

export interface WorkflowStep {
  /** Position in the job's `steps:` (0-based). */
  readonly index: number;
  readonly id?: string | undefined;
  readonly name?: string | undefined;
  readonly run?: string | undefined;
  readonly uses?: string | undefined;
  readonly with: Readonly<Record<string, string>>;
  readonly shell?: string | undefined;
  readonly workingDirectory?: string | undefined;
  readonly env: EnvBlock;
  readonly if?: string | boolean | number | undefined;
  readonly continueOnError?: boolean | string | undefined;
  readonly timeoutMinutes?: number | string | undefined;
}

export interface WorkflowJob {
  readonly id: string;
  readonly name?: string | undefined;
  readonly runsOn?: unknown;
  /** `strategy.matrix`: a spec, or one expression yielding the whole matrix. */
  readonly matrix?: MatrixSpec | string | undefined;
  readonly defaults: RunDefaults;
  readonly env: EnvBlock;
  readonly steps: readonly WorkflowStep[];
  /** A reusable-workflow job (`jobs.<id>.uses`): it has no steps of its own. */
  readonly usesWorkflow?: string | undefined;
  readonly container?: unknown;
  /** Names of `services:` containers. */
  readonly services: readonly string[];
}

export interface Workflow {
  readonly name?: string | undefined;
  readonly env: EnvBlock;
  readonly defaults: RunDefaults;
  /** In file order. */
  readonly jobs: readonly WorkflowJob[];
}

export type ParsedWorkflow = { ok: true; workflow: Workflow } | { ok: false; error: string };

/** Workflow files are small; a larger input is not one. */
const MAX_WORKFLOW_CHARS = 1_000_000;

const Text = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? "" : String(v)));
const Env = z.union([z.record(z.string(), Scalar), z.string(), z.null()]).optional();
const Defaults = z
  .object({ run: z.object({ shell: Text.optional(), "working-directory": Text.optional() }).nullish() })
  .nullish();
const Combination = z.record(z.string(), z.unknown());
const Matrix = z.union([
  z.string(),
  z
    .object({
      include: z.union([z.array(Combination), z.string()]).optional(),
      exclude: z.union([z.array(Combination), z.string()]).optional(),
    })
    .catchall(z.union([z.array(z.unknown()), z.string()])),
]);
const Step = z
  .object({
    id: Text.optional(),
    name: Text.optional(),
    run: Text.optional(),
    uses: z.string().optional(),
    with: z.record(z.string(), Scalar).nullish(),
    shell: Text.optional(),
    "working-directory": Text.optional(),
    env: Env,
    if: z.union([z.string(), z.boolean(), z.number()]).optional(),
    "continue-on-error": z.union([z.boolean(), z.string()]).optional(),
    "timeout-minutes": z.union([z.number(), z.string()]).optional(),
  })
  .refine((s) => (s.run === undefined) !== (s.uses === undefined), { message: "a step needs exactly one of `run` or `uses`" });
const Job = z.object({
  name: Text.optional(),
  "runs-on": z.unknown().optional(),
  strategy: z.object({ matrix: Matrix.optional() }).nullish(),
  defaults: Defaults,
  env: Env,
  steps: z.array(Step).optional(),
  uses: z.string().optional(),
  container: z.unknown().optional(),
  services: z.record(z.string(), z.unknown()).nullish(),
});
const WorkflowFile = z.object({
  name: Text.optional(),
  env: Env,
  defaults: Defaults,
  jobs: z.record(z.string(), Job),
});

/** Parses the text of `.github/workflows/*.yml`. */
export function parseWorkflow(text: string): ParsedWorkflow {
  if (text.length > MAX_WORKFLOW_CHARS) return { ok: false, error: `the workflow file is larger than ${MAX_WORKFLOW_CHARS} characters` };
  let data: unknown;
  try {
    const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    const problem = document.errors[0];
    if (problem) return { ok: false, error: `invalid YAML: ${firstLine(problem.message)}` };
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, error: `invalid YAML: ${firstLine(error instanceof Error ? error.message : String(error))}` };
  }
  try {
    JSON.stringify(data);
  } catch {
    // A recursive alias (`a: &a [*a]`): valid YAML, but no workflow.
    return { ok: false, error: "invalid YAML: an alias refers to itself" };
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return { ok: false, error: "not a workflow: the file must be a YAML mapping with a `jobs:` key" };
  }
  const result = WorkflowFile.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 3).map((issue) => {
      const where = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
      return `${where || "(top level)"}: ${issue.message}`;
    });
    return { ok: false, error: `not a valid workflow: ${issues.join("; ")}` };
  }
  const file = result.data;
  return {
    ok: true,
    workflow: {
      name: file.name,
      env: toEnv(file.env),
      defaults: toDefaults(file.defaults),
      jobs: Object.entries(file.jobs).map(([id, job]) => toJob(id, job)),
    },
  };
}

function toJob(id: string, job: z.output<typeof Job>): WorkflowJob {
  return {
    id,
    name: job.name,
    runsOn: job["runs-on"],
    matrix: job.strategy?.matrix === undefined ? undefined : toMatrix(job.strategy.matrix),
    defaults: toDefaults(job.defaults),
    env: toEnv(job.env),
    steps: (job.steps ?? []).map((step, index) => ({
      index,
      id: step.id,
      name: step.name,
      run: step.run,
      uses: step.uses,
      with: step.with ?? {},
      shell: step.shell,
      workingDirectory: step["working-directory"],
      env: toEnv(step.env),
      if: step.if,
      continueOnError: step["continue-on-error"],
      timeoutMinutes: step["timeout-minutes"],
    })),
    usesWorkflow: job.uses,
    container: job.container,
    services: Object.keys(job.services ?? {}),
  };
}

function toMatrix(matrix: z.output<typeof Matrix>): MatrixSpec | string {
  if (typeof matrix === "string") return matrix;
  const { include, exclude, ...dimensions } = matrix;
  return {
    dimensions: Object.entries(dimensions).map(([key, values]) => [key, values] as const),
    include: include ?? [],
    exclude: exclude ?? [],
  };
}

function toEnv(env: z.output<typeof Env>): EnvBlock {
  if (typeof env === "string") return { values: {}, expression: env };
  return { values: env ?? {} };
}

function toDefaults(defaults: z.output<typeof Defaults>): RunDefaults {
  return { shell: defaults?.run?.shell, workingDirectory: defaults?.run?.["working-directory"] };
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
