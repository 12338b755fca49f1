/**
 * Which Node.js the job ran with. `actions/setup-node` decides when the job
 * uses it (`node-version` wins over `node-version-file`, as the action
 * does); otherwise what a developer's version manager would read
 * (`.nvmrc`, `.node-version`, `.tool-versions`, Volta, `engines.node`), and
 * only for a JavaScript project.
 */
import { readVersionFile } from "./read-version-file.ts";
import type { RepoView } from "./repo-view.ts";
import type { ToolRequest } from "./types.ts";

const SETUP_NODE = "actions/setup-node";

export async function resolveNodeRequest(view: RepoView): Promise<ToolRequest | null> {
  const step = view.action(SETUP_NODE);
  if (step) {
    const version = step.with["node-version"]?.trim() ?? "";
    const file = step.with["node-version-file"]?.trim() ?? "";
    if (version !== "") {
      if (file !== "") view.notes.push(`${SETUP_NODE} sets both node-version and node-version-file; node-version wins, as in the action.`);
      return { tool: "node", spec: version.replace(/^v(?=\d)/, ""), source: `${SETUP_NODE} node-version` };
    }
    if (file !== "") {
      const contents = await view.read(file);
      if (contents === null) {
        view.notes.push(`${SETUP_NODE} reads node-version-file ${file}, which is not in the repository; falling back to the repository's files.`);
      } else {
        const found = readVersionFile("node", file, contents);
        if (found) return { tool: "node", spec: found.spec, source: `${SETUP_NODE} node-version-file ${file}${found.field ? ` (${found.field})` : ""}` };
        view.notes.push(`${SETUP_NODE} node-version-file ${file} names no Node.js version; falling back to the repository's files.`);
      }
    } else {
      view.notes.push(`${SETUP_NODE} runs without a version (CI used the runner's default Node.js); falling back to the repository's files.`);
    }
  }
  const pkg = await view.packageJson();
  if (!pkg) {
    // .nvmrc alone does not make a JavaScript project (docs sites, Python repos with tooling).
    return null;
  }
  const file = await view.findFirst([".nvmrc", ".node-version", ".tool-versions"]);
  if (file) {
    const found = readVersionFile("node", file.path, file.contents);
    if (found) return { tool: "node", spec: found.spec, source: file.path };
  }
  if (pkg.facts.voltaNode) return { tool: "node", spec: pkg.facts.voltaNode, source: `${pkg.path} volta.node` };
  if (pkg.facts.enginesNode) return { tool: "node", spec: pkg.facts.enginesNode, source: `${pkg.path} engines.node` };
  return null;
}
