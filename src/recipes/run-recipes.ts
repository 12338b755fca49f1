import { PatchwrightError } from "../errors.ts";
import type { CommandResult, Sandbox } from "../workspace/types.ts";
import { checkpointWorkspace } from "./checkpoint-workspace.ts";
import { DEFAULT_RECIPES } from "./default-recipes.ts";
import type { Recipe, RecipeMatch } from "./recipe.ts";

export interface RunRecipesArgs {
  readonly sandbox: Sandbox;
  /** The command that failed, re-run as is after the recipe. */
  readonly failingCommand: string;
  /** Its output (the sandbox's reproduction, or the CI log's step). */
  readonly failingOutput: string;
  /** Default `DEFAULT_RECIPES`. */
  readonly recipes?: readonly Recipe[];
  /**
   * Whether the failing command ran with network (a setup step such as
   * `npm ci`): its re-run gets the same. Default false, like a test command.
   */
  readonly network?: boolean;
  /**
   * How to run the failing step again, when the caller can do it more
   * faithfully than `failingCommand` alone (the step's runner environment, say).
   * Default: `failingCommand` in the sandbox, with `network`.
   */
  readonly rerun?: () => Promise<CommandResult>;
  /**
   * Puts the workspace back when the recipe does not turn the step green.
   * Default: a checkpoint taken before the recipe (`checkpoint-workspace.ts`).
   */
  readonly restore?: () => Promise<void>;
  /** Paths the default checkpoint ignores: what setup left untracked (`Reproduction.setupArtifacts`). */
  readonly exclude?: readonly string[];
  /** Per command (each fixing command, and the re-run). Default 10 minutes. */
  readonly timeoutMs?: number;
  /** Checked before anything runs. */
  readonly signal?: AbortSignal;
  /** Ledger hook: one `recipe` event per recipe tried (`RecipeEvent`). Fits `record` in run-fix-job. */
  readonly onEvent?: (kind: string, data: unknown) => void;
}

/** A recipe that turned the failing command green; its changes are in the workspace. */
export interface RecipeResult {
  /** The recipe's name, e.g. `prettier`. */
  readonly recipe: string;
  /** For the PR body and commit message (first line short). */
  readonly description: string;
  /** The fixing commands as they ran. */
  readonly commands: readonly CommandResult[];
  /** The failing command, re-run: exit code 0. */
  readonly after: CommandResult;
  /** Undoes the recipe (for a caller whose later checks reject its diff, e.g. the diff policy). */
  undo(): Promise<void>;
}

/** What the ledger records for each recipe tried: no output, only commands and exit codes. */
export interface RecipeEvent {
  readonly name: string;
  readonly green: boolean;
  readonly commands: readonly { command: string; cwd?: string; network: boolean; exitCode: number; durationMs: number }[];
  readonly after: { command: string; exitCode: number; durationMs: number } | null;
  /** Why the recipe was not run or not kept. */
  readonly reason?: string;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/**
 * Zero-token fixes: the first recipe that matches the failure runs its
 * commands in the sandbox, then the failing command runs again. Green → the
 * result, with the recipe's changes left in the workspace for verify/deliver.
 * Otherwise (no recipe matches, a fixing command fails, the re-run is still
 * red) → null, with the workspace as it was before the recipe.
 * @throws PatchwrightError `internal` only when a failed recipe's changes could not be undone.
 */
export async function runRecipes(args: RunRecipesArgs): Promise<RecipeResult | null> {
  const failure = { command: args.failingCommand, output: args.failingOutput };
  let recipe: Recipe | undefined;
  let match: RecipeMatch | null = null;
  for (const candidate of args.recipes ?? DEFAULT_RECIPES) {
    match = candidate.matches(failure);
    if (match) {
      recipe = candidate;
      break;
    }
  }
  if (!recipe || !match || match.commands.length === 0 || args.signal?.aborted) return null;

  const { sandbox, onEvent } = args;
  const timeoutMs = args.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const event = (green: boolean, commands: readonly CommandResult[], after: CommandResult | null, reason?: string): void =>
    onEvent?.("recipe", {
      name: recipe.name,
      green,
      commands: commands.map((c, i) => {
        const step = match.commands[i];
        return { command: c.command, ...(step?.cwd === undefined ? {} : { cwd: step.cwd }), network: step?.network === true, exitCode: c.exitCode, durationMs: c.durationMs };
      }),
      after: after && { command: after.command, exitCode: after.exitCode, durationMs: after.durationMs },
      ...(reason === undefined ? {} : { reason }),
    } satisfies RecipeEvent);

  let undo = args.restore;
  if (!undo) {
    try {
      const checkpoint = await checkpointWorkspace(sandbox, args.exclude ?? []);
      undo = () => checkpoint.restore();
    } catch (error) {
      if (!(error instanceof PatchwrightError)) throw error;
      event(false, [], null, error.message);
      return null;
    }
  }

  const ran: CommandResult[] = [];
  for (const step of match.commands) {
    const result = await sandbox.run(step.command, { network: step.network === true, timeoutMs, ...(step.cwd === undefined ? {} : { cwd: step.cwd }) });
    ran.push(result);
    if (result.exitCode !== 0) {
      await undo();
      event(false, ran, null, `\`${step.command}\` exited with ${result.exitCode}`);
      return null;
    }
  }
  const after = args.rerun ? await args.rerun() : await sandbox.run(args.failingCommand, { network: args.network === true, timeoutMs });
  if (after.exitCode !== 0) {
    await undo();
    event(false, ran, after, `\`${args.failingCommand}\` still fails (exit ${after.exitCode})`);
    return null;
  }
  event(true, ran, after);
  return { recipe: recipe.name, description: match.description, commands: ran, after, undo };
}
