import { listFiles, outputLines, plural } from "./output-lines.ts";
import type { Recipe } from "./recipe.ts";
import { quotePath } from "./shell-words.ts";
import { inStep, stepContext } from "./step-context.ts";

// Prettier 2: "Code style issues found in the above file(s). Forgot to run Prettier?"
// Prettier 3: "Code style issues found in the above file. Run Prettier with --write to fix." / "... in 2 files. ..."
const SUMMARY = /^\[warn\] Code style issues (?:were )?found in (?:the above file|\d+ files)/;
const WARN = /^\[warn\] (.+)$/;

/**
 * `prettier --check` (or `-c`, or any script that runs it, like `npm run
 * format:check`) reported unformatted files → `prettier --write` on exactly
 * those files, with the repository's own prettier (`npx --no-install`: nothing
 * is downloaded). Recognised from prettier's output, whatever the command.
 * Declines when prettier also reported errors (a syntax error is not formatting).
 */
export const prettierRecipe: Recipe = {
  name: "prettier",
  matches({ command, output }) {
    const lines = outputLines(output);
    if (lines.some((l) => l.startsWith("[error] "))) return null;
    const files = new Set<string>();
    for (let i = 0; i < lines.length; i++) {
      if (!SUMMARY.test(lines[i] ?? "")) continue;
      // The files are the `[warn] <path>` lines just above the summary; option
      // warnings come before "Checking formatting..." and stop the walk.
      for (let j = i - 1; j >= 0; j--) {
        const file = WARN.exec(lines[j] ?? "")?.[1]?.trim();
        if (file === undefined) break;
        if (!SUMMARY.test(lines[j] ?? "")) files.add(file);
      }
    }
    if (files.size === 0) return null;
    const sorted = [...files].sort();
    return {
      // Paths are relative to where prettier ran: the step's directory.
      commands: [inStep(stepContext(command), `npx --no-install prettier --write ${sorted.map(quotePath).join(" ")}`)],
      description: `Ran \`prettier --write\` on the ${sorted.length === 1 ? "file" : plural(sorted.length, "file")} \`prettier --check\` reported\n\n${listFiles(sorted)}`,
    };
  },
};
