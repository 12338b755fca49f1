/**
 * What an action step (`uses:`) means for a reproduction, by its name (the
 * part before `@`, case-insensitive): see `ActionKind`. Local (`./…`) and
 * Docker (`docker://…`) actions are `other`.
 */
import type { ActionKind, PlannedAction, SetupAction } from "./types.ts";

/** Actions that set up a language, runtime or package manager. */
const TOOLCHAIN = new Set([
  "actions/setup-node",
  "actions/setup-python",
  "actions/setup-java",
  "actions/setup-go",
  "actions/setup-dotnet",
  "pnpm/action-setup",
  "oven-sh/setup-bun",
  "ruby/setup-ruby",
  "dtolnay/rust-toolchain",
  "actions-rs/toolchain",
  "astral-sh/setup-uv",
  "denoland/setup-deno",
  "gradle/actions/setup-gradle",
  "gradle/gradle-build-action",
  "shivammathur/setup-php",
  "erlef/setup-beam",
  "mlugg/setup-zig",
  "goto-bus-stop/setup-zig",
]);

const CACHE = new Set(["actions/cache", "actions/cache/restore", "actions/cache/save"]);

/** Kept small on purpose: only actions that cannot change what a later step sees. */
const NEUTRAL = new Set(["actions/upload-artifact", "codecov/codecov-action", "coverallsapp/github-action", "actions/labeler"]);

export function classifyAction(uses: string): ActionKind {
  const name = (uses.split("@")[0] ?? "").toLowerCase().replace(/\/+$/, "");
  if (name === "actions/checkout") return "checkout";
  if (TOOLCHAIN.has(name)) return "toolchain";
  if (CACHE.has(name)) return "cache";
  if (NEUTRAL.has(name)) return "neutral";
  return "other";
}

/** The toolchain actions of a plan, as the toolchain resolver takes them. */
export function toolchainActions(plan: { readonly actions: readonly PlannedAction[] }): SetupAction[] {
  return plan.actions.filter((action) => action.kind === "toolchain").map(({ uses, with: inputs, step }) => ({ uses, with: inputs, step }));
}
