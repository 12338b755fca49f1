import { splitWords } from "./shell-words.ts";

/** Words that only launch a package's binary: `npx`, `npm exec`, `pnpm exec`, `yarn`, `bunx`. */
const LAUNCHERS: readonly (readonly string[])[] = [["npx"], ["npm", "exec"], ["npm", "x"], ["pnpm", "exec"], ["pnpm", "dlx"], ["pnpm"], ["yarn", "exec"], ["yarn"], ["bunx"]];

/**
 * The arguments `tool` was run with, when the failed step is one plain
 * invocation of it: the failing command itself (`npx eslint src`), or the
 * script line a package manager echoes before running a script
 * (`> t@1.0.0 lint` / `> eslint src`, when the failing command was `npm run lint`).
 * Null when the tool runs inside a larger script (`eslint . && tsc`) or is not
 * visible: then a recipe falls back to the files the tool reported.
 */
export function findInvocation(tool: string, command: string, lines: readonly string[]): string[] | null {
  const direct = toolArgs(tool, command);
  if (direct) return direct;
  for (let i = 0; i + 1 < lines.length; i++) {
    const header = lines[i] ?? "";
    const script = lines[i + 1] ?? "";
    if (header.startsWith("> ") && script.startsWith("> ")) {
      const echoed = toolArgs(tool, script.slice(2).trim());
      if (echoed) return echoed;
    }
  }
  return null;
}

function toolArgs(tool: string, command: string): string[] | null {
  const words = splitWords(command.trim());
  if (!words) return null;
  let rest = words;
  const launcher = LAUNCHERS.find((l) => l.every((w, i) => rest[i] === w));
  if (launcher) {
    rest = rest.slice(launcher.length);
    // Launcher options (`npx --no-install`, `npx -p pkg`, `npm exec --`), never the tool's.
    while (rest[0]?.startsWith("-")) rest = rest.slice(rest[0] === "-p" || rest[0] === "--package" ? 2 : 1);
  }
  const program = rest[0];
  if (program === undefined || !isTool(program, tool)) return null;
  return rest.slice(1);
}

/** `eslint`, `node_modules/.bin/eslint`, and package specs: `eslint@9`, `@biomejs/biome@1.9.4`. */
function isTool(program: string, tool: string): boolean {
  const name = program.replace(/(.)@[^/]*$/, "$1");
  return name === tool || name.endsWith(`/${tool}`);
}
