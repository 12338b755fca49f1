/**
 * Which Python the job ran with: `actions/setup-python`'s `python-version`
 * (the last line of a list is the default `python`) or
 * `python-version-file` (the action reads `.python-version` when both are
 * empty); otherwise `.python-version`, then `pyproject.toml`'s
 * `requires-python`. Only the request: Python is provisioned elsewhere.
 */
import { readVersionFile } from "./read-version-file.ts";
import type { RepoView } from "./repo-view.ts";
import type { ToolRequest } from "./types.ts";

const SETUP_PYTHON = "actions/setup-python";

export async function resolvePythonRequest(view: RepoView): Promise<ToolRequest | null> {
  const step = view.action(SETUP_PYTHON);
  if (step) {
    const versions = (step.with["python-version"] ?? "").split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
    const last = versions.at(-1);
    if (last !== undefined) {
      if (versions.length > 1) view.notes.push(`${SETUP_PYTHON} installs ${versions.join(", ")}; the last, ${last}, is the default python.`);
      return { tool: "python", spec: last, source: `${SETUP_PYTHON} python-version` };
    }
    const file = step.with["python-version-file"]?.trim() || ".python-version";
    const contents = await view.read(file);
    const found = contents === null ? null : readVersionFile("python", file, contents);
    if (found) return { tool: "python", spec: found.spec, source: `${SETUP_PYTHON} python-version-file ${file}${found.field ? ` (${found.field})` : ""}` };
    view.notes.push(`${SETUP_PYTHON} reads ${file}, which ${contents === null ? "is not in the repository" : "names no version"}; falling back to the repository's files.`);
  }
  const pinned = await view.findFirst([".python-version"]);
  const fromPin = pinned ? readVersionFile("python", pinned.path, pinned.contents) : null;
  if (pinned && fromPin) return { tool: "python", spec: fromPin.spec, source: pinned.path };
  const pyproject = await view.findFirst(["pyproject.toml"]);
  const fromProject = pyproject ? readVersionFile("python", pyproject.path, pyproject.contents) : null;
  if (pyproject && fromProject) return { tool: "python", spec: fromProject.spec, source: `${pyproject.path} requires-python` };
  return null;
}
