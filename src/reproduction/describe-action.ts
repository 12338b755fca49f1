/**
 * An action step that ran in CI before the failed step, which is not run
 * here: its kind, its inputs as CI had them, and what that means for the
 * reproduction (an approximation, whether the plan stays exact).
 */
import { classifyAction } from "./classify-action.ts";
import { type ExpressionContext, interpolate } from "./evaluate-expression.ts";
import type { Approximation, PlannedAction } from "./types.ts";

export interface DescribedAction {
  readonly action: PlannedAction;
  /** What the reproduction does instead, when that is not CI's. */
  readonly approximation?: Approximation;
  /** True when the plan cannot be exact because of it (toolchains are the caller's to judge). */
  readonly differs: boolean;
}

export function describeAction(
  step: { readonly name: string; readonly id?: string | undefined; readonly uses: string; readonly with: Readonly<Record<string, string>> },
  context: ExpressionContext,
): DescribedAction {
  const inputs: Record<string, string> = {};
  const unresolved: string[] = [];
  for (const [key, value] of Object.entries(step.with)) {
    const text = interpolate(value, context);
    inputs[key] = text.text;
    unresolved.push(...text.unresolved.map((r) => `with ${key}: ${r}`));
  }
  const kind = classifyAction(step.uses);
  const action: PlannedAction = {
    uses: step.uses,
    with: inputs,
    step: step.name,
    kind,
    ...(step.id !== undefined ? { id: step.id } : {}),
    ...(unresolved.length > 0 ? { unresolved: [...new Set(unresolved)] } : {}),
  };
  const approximated = (how: string, differs: boolean): DescribedAction => ({ action, approximation: { step: step.name, how }, differs });
  switch (kind) {
    case "toolchain":
      return approximated("provided by the toolchain layer", false);
    case "checkout": {
      const missing: string[] = [];
      if (inputs["repository"] || (inputs["path"] && inputs["path"] !== ".")) {
        missing.push(`CI checked out ${inputs["repository"] || "the repository"} into \`${inputs["path"] || "."}\`; here the workspace root is the repository`);
      }
      if (isTrue(inputs["submodules"]) || inputs["submodules"] === "recursive") missing.push("submodules are not checked out here");
      if (isTrue(inputs["lfs"])) missing.push("Git LFS files are not fetched here");
      return missing.length > 0 ? approximated(missing.join("; "), true) : { action, differs: false };
    }
    case "cache":
    case "neutral":
      return { action, differs: false };
    case "other":
      return approximated("not run", true);
  }
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === "true";
}
