import { describe, expect, it } from "vitest";
import { inStep, stepContext } from "../../src/recipes/step-context.ts";

// Failing commands as the reproduction writes CI steps (`toOneLiner`): `cd <dir> && env 'K=V' bash -e -c '<script>'`.
describe("stepContext", () => {
  it.each([
    ["npm run lint", { cwd: undefined, envPrefix: "", script: "npm run lint" }],
    ["bash -e -c 'npx eslint src'", { cwd: undefined, envPrefix: "", script: "npx eslint src" }],
    ["bash --noprofile --norc -eo pipefail -c 'npm run format:check'", { cwd: undefined, envPrefix: "", script: "npm run format:check" }],
    ["cd web && bash -e -c 'npx prettier --check .'", { cwd: "web", envPrefix: "", script: "npx prettier --check ." }],
    ["cd 'packages/my app' && env 'NODE_ENV=test' 'ESLINT_USE_FLAT_CONFIG=false' bash -e -c 'eslint .'", { cwd: "packages/my app", envPrefix: "env NODE_ENV=test ESLINT_USE_FLAT_CONFIG=false ", script: "eslint ." }],
    ["env 'A=1 2' npx eslint .", { cwd: undefined, envPrefix: "env 'A=1 2' ", script: "npx eslint ." }],
    ["bash -e -c 'npm ci\nnpm run lint'", { cwd: undefined, envPrefix: "", script: "npm ci\nnpm run lint" }],
    ["npm ci && npm run lint", { cwd: undefined, envPrefix: "", script: "npm ci && npm run lint" }],
  ])("reads %j", (command, context) => {
    expect(stepContext(command)).toEqual(context);
  });

  it.each(["cd .. && npm ci", "cd /etc && npm ci", "cd a/../.. && npm ci", "cd ~ && npm ci"])("never takes a directory outside the workspace: %s", (command) => {
    expect(stepContext(command).cwd).toBeUndefined();
  });

  it("puts fixing commands where the step ran, with its environment", () => {
    const step = stepContext("cd web && env 'CI=true' bash -e -c 'npm ci'");
    expect(inStep(step, "npm install --package-lock-only", { network: true })).toEqual({ command: "env CI=true npm install --package-lock-only", cwd: "web", network: true });
    expect(inStep(stepContext("npm test"), "true")).toEqual({ command: "true" });
  });
});
