/**
 * `actions/setup-node` and `actions/setup-python` are not run: the sandbox
 * has its own toolchains. What CI asked for is compared with what is there
 * (Node by major version, Python by major.minor, which is what breaks code).
 */
import type { LocalToolchain } from "./types.ts";

export interface ToolchainCheck {
  /** For the plan's notes; absent when the versions agree. */
  readonly note?: string;
  /** True when the versions differ (the plan is then not exact). */
  readonly mismatch: boolean;
}

/**
 * @param uses the step's `uses:` (e.g. `actions/setup-node@v4`).
 * @param inputs its `with:` inputs, expressions already substituted.
 * @returns null for any other action.
 */
export function checkToolchain(uses: string, inputs: Readonly<Record<string, string>>, toolchain: LocalToolchain): ToolchainCheck | null {
  const action = uses.split("@")[0]?.toLowerCase();
  if (action === "actions/setup-node") {
    return compare("Node.js", "node-version", inputs, toolchain.node, 1);
  }
  if (action === "actions/setup-python") {
    return compare("Python", "python-version", inputs, toolchain.python, 2);
  }
  return null;
}

function compare(
  tool: string,
  input: string,
  inputs: Readonly<Record<string, string>>,
  local: string | undefined,
  parts: number,
): ToolchainCheck {
  const requested = (inputs[input] ?? "").trim();
  const fromFile = inputs[`${input}-file`];
  if (requested === "") {
    const where = fromFile ? ` from \`${fromFile}\`` : "";
    return { note: `CI set up ${tool}${where}; its version was not compared with the sandbox's (${local ?? "unknown"}).`, mismatch: false };
  }
  if (local === undefined) {
    return { note: `CI used ${tool} ${requested}; the sandbox's ${tool} version is unknown.`, mismatch: true };
  }
  const wanted = versionPrefix(requested, parts);
  const have = versionPrefix(local, parts);
  if (wanted === null || have === null) {
    return { note: `CI used ${tool} \`${requested}\`; it could not be compared with the sandbox's ${local}.`, mismatch: false };
  }
  // "3.x" pins only the major version.
  const compared = Math.min(wanted.length, have.length);
  if (wanted.slice(0, compared).join(".") === have.slice(0, compared).join(".")) return { mismatch: false };
  const what = parts === 1 ? "major versions differ" : "versions differ";
  return {
    note: `CI used ${tool} ${requested} (\`${input}\`), the sandbox has ${local}: ${what}, so results may differ.`,
    mismatch: true,
  };
}

/** `v20.11.1` → [20] (parts 1); `3.11` → [3, 11] (parts 2); `3.x` → [3]; `lts/*`, `>=18` → null. */
function versionPrefix(version: string, parts: number): number[] | null {
  const match = /^v?(\d+)(?:\.(\d+|x|\*))?/i.exec(version.trim());
  if (!match || /[<>=~^|]/.test(version)) return null;
  const numbers = [Number(match[1])];
  if (parts > 1 && match[2] !== undefined && /^\d+$/.test(match[2])) numbers.push(Number(match[2]));
  return numbers;
}
