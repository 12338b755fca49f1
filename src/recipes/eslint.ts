import { findInvocation } from "./find-invocation.ts";
import { listFiles, outputLines, plural } from "./output-lines.ts";
import type { Recipe } from "./recipe.ts";
import { quotePath, quoteWord } from "./shell-words.ts";
import { inStep, stepContext } from "./step-context.ts";

// The stylish formatter's summary: "✖ 7 problems (7 errors, 0 warnings)" and
// "6 errors and 0 warnings potentially fixable with the `--fix` option."
const PROBLEMS = /^✖ \d+ problems? \((\d+) errors?, (\d+) warnings?\)/;
const FIXABLE = /^(\d+) errors? and (\d+) warnings? potentially fixable with the `--fix` option/;
const MESSAGE = /^\s+\d+:\d+\s+(?:error|warning)\s/;
// Options that make no sense (or no difference) when fixing.
const DROP = new Set(["--fix", "--fix-dry-run", "--cache"]);
const DROP_WITH_VALUE = new Set(["--max-warnings", "--fix-type", "-o", "--output-file", "-f", "--format"]);

/**
 * ESLint (stylish output, run directly or through a script) failed and says
 * its problems are fixable → `eslint --fix`: with the same arguments when the
 * failing invocation is visible (`eslint src --ext .ts`, or the `> eslint src`
 * line `npm run lint` echoes), else on the files it reported. Declines when
 * some errors (or, with no errors, some warnings) are not fixable: `--fix`
 * would not make the step pass.
 */
export const eslintRecipe: Recipe = {
  name: "eslint",
  matches({ command, output }) {
    const lines = outputLines(output).map((l) => l.trimEnd());
    const totals = { errors: 0, warnings: 0, fixableErrors: 0, fixableWarnings: 0, summaries: 0 };
    for (const line of lines) {
      const problems = PROBLEMS.exec(line.trim());
      if (problems) {
        totals.errors += Number(problems[1]);
        totals.warnings += Number(problems[2]);
        totals.summaries++;
      }
      const fixable = FIXABLE.exec(line.trim());
      if (fixable) {
        totals.fixableErrors += Number(fixable[1]);
        totals.fixableWarnings += Number(fixable[2]);
      }
    }
    if (totals.fixableErrors + totals.fixableWarnings === 0) return null;
    if (totals.summaries > 0) {
      const allFixable = totals.errors > 0 ? totals.fixableErrors === totals.errors : totals.fixableWarnings === totals.warnings;
      if (!allFixable) return null;
    }
    const fixableCount = totals.fixableErrors + totals.fixableWarnings;

    const step = stepContext(command);
    const args = findInvocation("eslint", step.script, lines);
    if (args) {
      const kept = withoutOptions(args);
      return {
        commands: [inStep(step, ["npx --no-install eslint --fix", ...kept.map(quoteWord)].join(" "))],
        description: `Ran \`eslint --fix\` with the arguments of the failing \`${["eslint", ...args].join(" ").replace(/`/g, "'")}\`: ESLint reported ${plural(fixableCount, "fixable problem")}`,
      };
    }
    const files = reportedFiles(lines);
    if (files.length === 0) return null;
    return {
      commands: [inStep(step, `npx --no-install eslint --fix ${files.map(quotePath).join(" ")}`)],
      description: `Ran \`eslint --fix\` on the ${plural(files.length, "file")} ESLint reported (${plural(fixableCount, "fixable problem")})\n\n${listFiles(files)}`,
    };
  },
};

/** Stylish prints each file's path on its own line, followed by its indented `line:col  error  ...` messages. */
function reportedFiles(lines: readonly string[]): string[] {
  const files = new Set<string>();
  for (let i = 0; i + 1 < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line !== "" && !/^\s/.test(line) && MESSAGE.test(lines[i + 1] ?? "")) files.add(line.trim());
  }
  return [...files];
}

function withoutOptions(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const name = arg.split("=")[0] ?? arg;
    if (DROP.has(arg)) continue;
    if (DROP_WITH_VALUE.has(name)) {
      if (!arg.includes("=")) i++;
      continue;
    }
    kept.push(arg);
  }
  return kept;
}
