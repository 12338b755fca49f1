import { describe, expect, it } from "vitest";
import { LOCKFILE_COMMAND, npmLockfileRecipe } from "../../src/recipes/npm-lockfile.ts";

// Real output of npm 11 (usage text shortened) and npm 8.
const NPM_11 = `npm error code EUSAGE
npm error
npm error \`npm ci\` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with \`npm install\` before continuing.
npm error
npm error Missing: is-number@7.0.0 from lock file
npm error
npm error Clean install a project
npm error
npm error Usage:
npm error npm ci
npm error
npm error aliases: clean-install, ic, install-clean, isntall-clean
npm error
npm error Run "npm help ci" for more info
npm error A complete log of this run can be found in: /tmp/home/.npm/_logs/2026-01-01T00_00_00_000Z-debug-0.log
`;
const NPM_8 = `npm ERR! code EUSAGE
npm ERR! 
npm ERR! \`npm ci\` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with \`npm install\` before continuing.
npm ERR! 
npm ERR! Invalid: lock file's left-pad@1.1.0 does not satisfy left-pad@1.3.0
npm ERR! 
`;

describe("npmLockfileRecipe", () => {
  it("regenerates the lockfile only, from the registry, without running scripts", () => {
    const match = npmLockfileRecipe.matches({ command: "npm ci --no-audit --no-fund", output: NPM_11 });
    expect(match?.commands).toEqual([{ command: LOCKFILE_COMMAND, network: true }]);
    expect(LOCKFILE_COMMAND).toBe("npm install --package-lock-only --ignore-scripts --no-audit --no-fund");
    expect(match?.description).toContain("- Missing: is-number@7.0.0 from lock file");
  });

  it("regenerates the lockfile of the directory the step ran in", () => {
    expect(npmLockfileRecipe.matches({ command: "cd app && bash -e -c 'npm ci'", output: NPM_11 })?.commands).toEqual([{ command: LOCKFILE_COMMAND, cwd: "app", network: true }]);
  });

  it("reads npm 8's `npm ERR!` lines", () => {
    expect(npmLockfileRecipe.matches({ command: "npm ci", output: NPM_8 })?.description).toContain("- Invalid: lock file's left-pad@1.1.0 does not satisfy left-pad@1.3.0");
  });

  it("declines other install failures, even with the same error code", () => {
    const output = "npm error code EUSAGE\nnpm error\nnpm error Unknown command: \"cii\"\n";
    expect(npmLockfileRecipe.matches({ command: "npm cii", output })).toBeNull();
    expect(npmLockfileRecipe.matches({ command: "npm ci", output: "npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/nope\n" })).toBeNull();
  });
});
