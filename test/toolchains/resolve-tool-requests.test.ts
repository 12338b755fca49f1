import { describe, expect, it } from "vitest";
import { type SetupAction, resolveToolRequests } from "../../src/toolchains/resolve-tool-requests.ts";
import type { ToolRequest } from "../../src/toolchains/types.ts";

const PKG = (fields: object = {}): string => JSON.stringify({ name: "app", ...fields });
const node = (version: string, extra: Record<string, string> = {}): SetupAction => ({
  uses: "actions/setup-node@v4",
  with: { "node-version": version, ...extra },
  step: "Set up Node",
});
const action = (uses: string, inputs: Record<string, string>): SetupAction => ({ uses, with: inputs, step: uses });

interface Case {
  readonly name: string;
  readonly files?: Record<string, string>;
  readonly actions?: readonly SetupAction[];
  readonly scripts?: readonly string[];
  readonly directory?: string;
  /** tool → [spec, source]; tools not listed must not be requested. */
  readonly expected: Partial<Record<ToolRequest["tool"], readonly [string, string]>>;
  /** Substrings the notes must contain. */
  readonly notes?: readonly string[];
}

const cases: readonly Case[] = [
  // node
  { name: "setup-node node-version", actions: [node("20.x")], expected: { node: ["20.x", "actions/setup-node node-version"] } },
  {
    name: "node-version wins over node-version-file",
    files: { ".nvmrc": "18\n", "package.json": PKG() },
    actions: [node("22", { "node-version-file": ".nvmrc" })],
    expected: { node: ["22", "actions/setup-node node-version"] },
    notes: ["node-version wins"],
  },
  { name: "a v prefix is dropped", actions: [node("v20.11.1")], expected: { node: ["20.11.1", "actions/setup-node node-version"] } },
  {
    name: "node-version-file .nvmrc with v prefix and comments",
    files: { ".nvmrc": "# pinned\n\nv20.11.1 # LTS\n" },
    actions: [action("actions/setup-node@v4", { "node-version-file": ".nvmrc" })],
    expected: { node: ["20.11.1", "actions/setup-node node-version-file .nvmrc"] },
  },
  {
    name: "node-version-file lts/*",
    files: { ".node-version": "lts/*\n" },
    actions: [action("actions/setup-node@v4", { "node-version-file": ".node-version" })],
    expected: { node: ["lts/*", "actions/setup-node node-version-file .node-version"] },
  },
  {
    name: "node-version-file .tool-versions",
    files: { ".tool-versions": "python 3.12.1\nnodejs 21.6.0\n" },
    actions: [action("actions/setup-node@v4", { "node-version-file": ".tool-versions" })],
    expected: { node: ["21.6.0", "actions/setup-node node-version-file .tool-versions"] },
  },
  {
    name: "node-version-file package.json: volta before engines",
    files: { "package.json": PKG({ volta: { node: "20.10.0" }, engines: { node: ">=18" } }) },
    actions: [action("actions/setup-node@v4", { "node-version-file": "package.json" })],
    expected: { node: ["20.10.0", "actions/setup-node node-version-file package.json (volta.node)"] },
  },
  {
    name: "node-version-file package.json: engines.node",
    files: { "package.json": PKG({ engines: { node: ">=18 <21" } }) },
    actions: [action("actions/setup-node@v4", { "node-version-file": "package.json" })],
    expected: { node: [">=18 <21", "actions/setup-node node-version-file package.json (engines.node)"] },
  },
  {
    name: "without setup-node: .nvmrc in a JS project",
    files: { ".nvmrc": "20\n", ".node-version": "18", "package.json": PKG({ engines: { node: ">=16" } }) },
    expected: { node: ["20", ".nvmrc"] },
  },
  {
    name: "without setup-node: .node-version, then volta, then engines",
    files: { ".node-version": "18.19.0", "package.json": PKG() },
    expected: { node: ["18.19.0", ".node-version"] },
  },
  { name: "without setup-node: volta.node", files: { "package.json": PKG({ volta: { node: "20.1.0" } }) }, expected: { node: ["20.1.0", "package.json volta.node"] } },
  { name: "without setup-node: engines.node", files: { "package.json": PKG({ engines: { node: "^20.9" } }) }, expected: { node: ["^20.9", "package.json engines.node"] } },
  { name: "an .nvmrc outside a JS project asks for nothing", files: { ".nvmrc": "20" }, expected: {} },
  {
    name: "monorepo: the package directory's files first, then the root",
    files: { ".nvmrc": "20", "packages/web/package.json": PKG({ engines: { node: ">=18" } }), "packages/web/.nvmrc": "22" },
    directory: "packages/web",
    expected: { node: ["22", "packages/web/.nvmrc"] },
  },
  {
    name: "monorepo: the root .nvmrc when the package has none",
    files: { ".nvmrc": "20", "packages/web/package.json": PKG() },
    directory: "packages/web/",
    expected: { node: ["20", ".nvmrc"] },
  },
  {
    name: "setup-node without a version falls back to the files",
    files: { ".nvmrc": "18", "package.json": PKG() },
    actions: [action("actions/setup-node@v4", { cache: "npm" })],
    expected: { node: ["18", ".nvmrc"] },
    notes: ["without a version"],
  },
  {
    name: "the last setup-node step wins",
    actions: [node("18"), node("20")],
    expected: { node: ["20", "actions/setup-node node-version"] },
    notes: ["2 steps use actions/setup-node"],
  },
  // pnpm
  {
    name: "pnpm/action-setup version",
    files: { "package.json": PKG({ packageManager: "pnpm@8.15.0" }) },
    actions: [action("pnpm/action-setup@v4", { version: "9" })],
    expected: { pnpm: ["9", "pnpm/action-setup version"] },
  },
  {
    name: "packageManager pnpm with a hash",
    files: { "package.json": PKG({ packageManager: "pnpm@9.1.0+sha512.abcdef" }), "pnpm-lock.yaml": "lockfileVersion: '9.0'\n" },
    actions: [action("pnpm/action-setup@v4", {})],
    expected: { pnpm: ["9.1.0", "package.json packageManager"] },
  },
  {
    name: "corepack enable with packageManager",
    files: { "package.json": PKG({ packageManager: "pnpm@8.6.0" }) },
    scripts: ["corepack enable\npnpm install --frozen-lockfile"],
    expected: { pnpm: ["8.6.0", "package.json packageManager, corepack enable"] },
  },
  {
    name: "a scripted global install wins over packageManager",
    files: { "package.json": PKG({ packageManager: "pnpm@9.1.0" }) },
    scripts: ["npm install -g pnpm@8.15.4 && pnpm i"],
    expected: { pnpm: ["8.15.4", "run: npm install -g pnpm@8.15.4"] },
  },
  {
    name: "corepack prepare in a script",
    files: { "package.json": PKG() },
    scripts: ["corepack prepare pnpm@7.33.0 --activate"],
    expected: { pnpm: ["7.33.0", "run: corepack prepare pnpm@7.33.0"] },
  },
  { name: "pnpm lockfile 6.0 → pnpm 8", files: { "pnpm-lock.yaml": "lockfileVersion: '6.0'\n" }, expected: { pnpm: ["^8", "pnpm-lock.yaml lockfileVersion 6.0"] } },
  { name: "pnpm lockfile 9.0 → pnpm 10", files: { "pnpm-lock.yaml": "lockfileVersion: '9.0'\n" }, expected: { pnpm: ["^10", "pnpm-lock.yaml lockfileVersion 9.0"] } },
  { name: "pnpm lockfile 5.4 → pnpm 7", files: { "pnpm-lock.yaml": "lockfileVersion: 5.4\n" }, expected: { pnpm: ["^7", "pnpm-lock.yaml lockfileVersion 5.4"] } },
  { name: "pnpm in a script only → latest", scripts: ["pnpm run build"], expected: { pnpm: ["latest", "run: pnpm"] } },
  { name: "a word containing pnpm is not pnpm", scripts: ["./scripts/pnpm-audit.sh", "echo mypnpm"], expected: {} },
  // yarn
  { name: "yarn.lock (classic) → yarn 1", files: { "yarn.lock": "# yarn lockfile v1\n" }, expected: { yarn: ["1", "yarn.lock"] } },
  { name: "yarn in a script → yarn 1", scripts: ["yarn test"], expected: { yarn: ["1", "run: yarn"] } },
  {
    name: "packageManager yarn classic",
    files: { "package.json": PKG({ packageManager: "yarn@1.22.19" }), "yarn.lock": "" },
    expected: { yarn: ["1.22.19", "package.json packageManager"] },
  },
  {
    name: "Berry with a committed yarnPath → the 1.22 launcher",
    files: {
      "package.json": PKG({ packageManager: "yarn@4.1.0" }),
      ".yarnrc.yml": "nodeLinker: node-modules\nyarnPath: .yarn/releases/yarn-4.1.0.cjs\n",
      "yarn.lock": "__metadata:\n  version: 8\n",
    },
    expected: { yarn: ["1.22", ".yarnrc.yml yarnPath"] },
    notes: ["yarnPath .yarn/releases/yarn-4.1.0.cjs", "packageManager pins 4.1.0"],
  },
  {
    name: "Berry without yarnPath → that Berry version",
    files: { "package.json": PKG({ packageManager: "yarn@4.1.0" }), ".yarnrc.yml": "nodeLinker: node-modules\n" },
    expected: { yarn: ["4.1.0", "package.json packageManager"] },
  },
  {
    name: "a Berry lockfile with nothing pinned → latest Berry",
    files: { "yarn.lock": "# This file is generated\n__metadata:\n  version: 8\n" },
    expected: { yarn: [">=2", "yarn.lock (Berry format)"] },
  },
  // bun
  { name: "setup-bun bun-version", actions: [action("oven-sh/setup-bun@v2", { "bun-version": "1.1.8" })], expected: { bun: ["1.1.8", "oven-sh/setup-bun bun-version"] } },
  {
    name: "setup-bun bun-version-file",
    files: { ".bun-version": "1.0.30\n" },
    actions: [action("oven-sh/setup-bun@v2", { "bun-version-file": ".bun-version" })],
    expected: { bun: ["1.0.30", "oven-sh/setup-bun bun-version-file .bun-version"] },
  },
  {
    name: "setup-bun without inputs → latest",
    actions: [action("oven-sh/setup-bun@v2", {})],
    expected: { bun: ["latest", "oven-sh/setup-bun (no version: latest)"] },
  },
  { name: "packageManager bun", files: { "package.json": PKG({ packageManager: "bun@1.1.20" }) }, expected: { bun: ["1.1.20", "package.json packageManager"] } },
  { name: "bun.lockb → latest", files: { "bun.lockb": "\0" }, expected: { bun: ["latest", "bun.lockb"] } },
  { name: "bunx in a script → latest", scripts: ["bunx prettier --check ."], expected: { bun: ["latest", "run: bun"] } },
  // python
  {
    name: "setup-python list: the last is the default",
    actions: [action("actions/setup-python@v5", { "python-version": "3.10\n3.12\n" })],
    expected: { python: ["3.12", "actions/setup-python python-version"] },
  },
  {
    name: "setup-python python-version-file pyproject.toml",
    files: { "pyproject.toml": '[tool.x]\nrequires-python = "no"\n[project]\nname = "x"\nrequires-python = ">=3.9"\n' },
    actions: [action("actions/setup-python@v5", { "python-version-file": "pyproject.toml" })],
    expected: { python: [">=3.9", "actions/setup-python python-version-file pyproject.toml (requires-python)"] },
  },
  { name: ".python-version", files: { ".python-version": "3.11.7\n", "pyproject.toml": '[project]\nrequires-python = ">=3.9"\n' }, expected: { python: ["3.11.7", ".python-version"] } },
  { name: "pyproject requires-python", files: { "pyproject.toml": "[project]\nrequires-python = '>=3.10'\n" }, expected: { python: [">=3.10", "pyproject.toml requires-python"] } },
  // several at once, and bad input
  {
    name: "node and pnpm together",
    files: { "package.json": PKG({ packageManager: "pnpm@9.4.0" }), ".nvmrc": "lts/iron" },
    scripts: ["corepack enable", "pnpm test"],
    expected: { node: ["lts/iron", ".nvmrc"], pnpm: ["9.4.0", "package.json packageManager, corepack enable"] },
  },
  {
    name: "an invalid package.json is a note, not a failure",
    files: { "package.json": "{ nope", ".nvmrc": "20" },
    expected: {},
    notes: ["package.json is not valid JSON"],
  },
  {
    name: "packageManager npm pins the npm that comes with a provided Node.js",
    files: { "package.json": PKG({ packageManager: "npm@10.2.0+sha512.abcdef" }), ".nvmrc": "18" },
    expected: { node: ["18", ".nvmrc"], npm: ["10.2.0", "package.json packageManager"] },
    notes: ["npm 10.2.0 (from package.json packageManager)"],
  },
];

describe("resolveToolRequests", () => {
  it.each(cases)("$name", async (c) => {
    const files = c.files ?? {};
    const read = async (p: string): Promise<string | null> => files[p] ?? null;
    const { requests, notes } = await resolveToolRequests({
      actions: c.actions ?? [],
      files: { read },
      scripts: c.scripts ?? [],
      ...(c.directory === undefined ? {} : { directory: c.directory }),
    });
    const actual = Object.fromEntries(requests.map((r) => [r.tool, [r.spec, r.source]]));
    expect(actual).toEqual(c.expected);
    for (const note of c.notes ?? []) expect(notes.join("\n")).toContain(note);
  });

  it("a reader that throws counts as a missing file", async () => {
    const { requests } = await resolveToolRequests({
      actions: [],
      files: { read: async () => Promise.reject(new Error("EACCES")) },
      scripts: [],
    });
    expect(requests).toEqual([]);
  });
});
