import { findInvocation } from "./find-invocation.ts";
import { listFiles, outputLines, plural } from "./output-lines.ts";
import type { Recipe } from "./recipe.ts";
import { quotePath, quoteWord } from "./shell-words.ts";
import { inStep, stepContext } from "./step-context.ts";

// A diagnostic's header: "src/a.js:3:1 lint/style/useConst  FIXABLE  ━━━━", "src/a.js format ━━━━".
// The run's own last header has no location: "check ━━━━" / "ci ━━━━".
const HEADER = /^(\S+) (\S+)((?:\s+[A-Z]+)*)\s+━{3,}$/;
const SUMMARY = /^(?:check|ci|lint|format) ━{3,}$/;
// What `biome check --write` fixes without `--unsafe`: formatting and import sorting always, lint rules when FIXABLE.
const ALWAYS_FIXABLE = /^(?:format|organizeImports|assist\/source\/organizeImports)$/;
const SUBCOMMAND_WRITES: Readonly<Record<string, string>> = { check: "check --write", ci: "check --write", format: "format --write", lint: "lint --write" };

/**
 * Biome (`biome check` / `biome ci`, directly or through a script) failed
 * only on things it can fix → `biome check --write`, with the failing
 * invocation's targets when visible, else on the files it reported. Declines
 * when any diagnostic is not fixable (a parse error, a rule without a fix).
 * Unsafe fixes are not applied; if one was needed, the re-run stays red and
 * the attempt is undone.
 */
export const biomeRecipe: Recipe = {
  name: "biome",
  matches({ command, output }) {
    const lines = outputLines(output).map((l) => l.trimEnd());
    const ranBiome = /\bbiome\b/.test(command) || lines.some((l) => SUMMARY.test(l) || l.includes("Some errors were emitted while running checks"));
    if (!ranBiome) return null;
    const files = new Set<string>();
    let diagnostics = 0;
    for (const line of lines) {
      if (SUMMARY.test(line)) continue;
      const header = HEADER.exec(line);
      if (!header) continue;
      const [, location = "", category = "", flags = ""] = header;
      diagnostics++;
      if (!ALWAYS_FIXABLE.test(category) && !/\bFIXABLE\b/.test(flags)) return null;
      files.add(location.replace(/:\d+:\d+$/, ""));
    }
    if (diagnostics === 0) return null;
    const sorted = [...files].sort();

    const step = stepContext(command);
    const args = findInvocation("biome", step.script, lines);
    const subcommand = args?.[0];
    const write = subcommand === undefined ? undefined : SUBCOMMAND_WRITES[subcommand];
    if (args && write) {
      const rest = args.slice(1).filter((a) => !/^--(?:write|apply|apply-unsafe|fix|reporter(?:=.*)?)$/.test(a));
      return {
        commands: [inStep(step, [`npx --no-install biome ${write}`, ...rest.map(quoteWord)].join(" "))],
        description: `Ran \`biome ${write}\` with the targets of the failing \`biome ${args.join(" ").replace(/`/g, "'")}\` (formatting, import order and safe lint fixes)\n\n${listFiles(sorted)}`,
      };
    }
    return {
      commands: [inStep(step, `npx --no-install biome check --write ${sorted.map(quotePath).join(" ")}`)],
      description: `Ran \`biome check --write\` on the ${plural(sorted.length, "file")} Biome reported (formatting, import order and safe lint fixes)\n\n${listFiles(sorted)}`,
    };
  },
};
