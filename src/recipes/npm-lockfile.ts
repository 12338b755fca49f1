import { outputLines } from "./output-lines.ts";
import type { Recipe } from "./recipe.ts";
import { inStep, stepContext } from "./step-context.ts";

// npm 7–11: "`npm ci` can only install packages when your package.json and
// package-lock.json or npm-shrinkwrap.json are in sync." (code EUSAGE)
const OUT_OF_SYNC = /can only install packages when your package\.json and package-lock\.json (?:or npm-shrinkwrap\.json )?are in sync/;
// The lines that say what differs: "Missing: is-number@7.0.0 from lock file", "Invalid: lock file's a@1.0.0 does not satisfy a@2.0.0".
const DETAIL = /^(?:npm (?:ERR!|error) )?((?:Missing|Invalid): .+)$/;
const MAX_DETAILS = 5;

/** The fixing command: the lockfile only, from the registry, running no package's scripts. */
export const LOCKFILE_COMMAND = "npm install --package-lock-only --ignore-scripts --no-audit --no-fund";

/**
 * `npm ci` refused to install because package.json and package-lock.json
 * disagree → regenerate the lockfile from package.json (`npm install
 * --package-lock-only --ignore-scripts`). The one built-in recipe that needs
 * the network: the registry, for the metadata of the changed dependencies.
 * In the step's directory (`cd app && npm ci`), not `npm ci --prefix app`.
 */
export const npmLockfileRecipe: Recipe = {
  name: "npm-lockfile",
  matches({ command, output }) {
    const lines = outputLines(output);
    if (!lines.some((l) => OUT_OF_SYNC.test(l))) return null;
    const details = lines
      .map((l) => DETAIL.exec(l.trim())?.[1])
      .filter((d): d is string => d !== undefined);
    const shown = details.slice(0, MAX_DETAILS).map((d) => `- ${d.replace(/`/g, "'")}`);
    if (details.length > MAX_DETAILS) shown.push(`- … and ${details.length - MAX_DETAILS} more`);
    return {
      commands: [inStep(stepContext(command), LOCKFILE_COMMAND, { network: true })],
      description:
        "Ran `npm install --package-lock-only --ignore-scripts` to bring package-lock.json back in sync with package.json" +
        `\n\n\`npm ci\` refused to install because the two disagree${shown.length > 0 ? `:\n${shown.join("\n")}` : "."}`,
    };
  },
};
