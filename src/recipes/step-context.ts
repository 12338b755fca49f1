import type { RecipeCommand } from "./recipe.ts";
import { quoteWord, splitWords } from "./shell-words.ts";

/** Where and how the failed step ran, as read from its one-line command. */
export interface StepContext {
  /** The step's directory relative to the workspace root (`cd web && …`); undefined for the root. */
  readonly cwd: string | undefined;
  /** The step's `env 'K=V' …` prefix, kept for the fixing commands; "" when none. */
  readonly envPrefix: string;
  /** The step's own script, unwrapped from `bash -e -c '…'`: where a recipe looks for the tool's invocation. */
  readonly script: string;
}

const CD = /^cd\s+('(?:[^']|'\\'')*'|[^\s'"&;|]+)\s*&&\s*([\s\S]+)$/;
const SHELL = /^(?:\/(?:usr\/)?bin\/)?(?:bash|sh)$/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * Reads a failing command the way the reproduction writes a CI step
 * (`cd <dir> && env 'K=V' bash -e -c '<script>'`, every part optional), so a
 * recipe fixes in the step's directory with the step's environment, and finds
 * the tool in the script. Anything it does not recognise stays in `script` as is.
 */
export function stepContext(command: string): StepContext {
  let rest = command.trim();
  let cwd: string | undefined;
  const cd = CD.exec(rest);
  const dir = cd ? splitWords(cd[1] ?? "")?.[0] : undefined;
  if (cd && dir !== undefined && isInsideDir(dir)) {
    cwd = dir.replace(/\/+$/, "");
    rest = (cd[2] ?? "").trim();
  }
  const words = splitWords(rest);
  if (!words) return { cwd, envPrefix: "", script: rest };
  let env: string[] = [];
  let program = words;
  if (program[0] === "env") {
    const count = program.slice(1).findIndex((w) => !ASSIGNMENT.test(w));
    env = program.slice(1, count < 0 ? undefined : count + 1);
    program = count < 0 ? [] : program.slice(count + 1);
  }
  const dashC = program.indexOf("-c");
  const script =
    SHELL.test(program[0] ?? "") && dashC > 0 && dashC === program.length - 2 && program.slice(1, dashC).every((w) => w.startsWith("-") || w === "pipefail")
      ? (program[dashC + 1] ?? "")
      : program.map(quoteWord).join(" ");
  return { cwd, envPrefix: env.length > 0 ? `env ${env.map(quoteWord).join(" ")} ` : "", script };
}

/** A fixing command run where, and with what environment, the failed step ran. */
export function inStep(step: StepContext, command: string, options: { network?: boolean } = {}): RecipeCommand {
  return {
    command: `${step.envPrefix}${command}`,
    ...(step.cwd === undefined ? {} : { cwd: step.cwd }),
    ...(options.network === true ? { network: true } : {}),
  };
}

function isInsideDir(dir: string): boolean {
  return dir !== "" && !dir.startsWith("/") && !dir.startsWith("~") && !dir.startsWith("-") && !dir.split("/").includes("..") && dir !== ".";
}
