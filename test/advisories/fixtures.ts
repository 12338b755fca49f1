/**
 * Tiny npm projects with real, vulnerable dependencies and the lockfiles npm
 * 11 wrote for them (registry.npmjs.org). Each advisory is real:
 *   lodash 4.17.20     GHSA-35jh-r3h4-6jhm (< 4.17.21), a direct dependency
 *   minimist 0.0.10    GHSA-xvch-5gv4-984h (< 0.2.4 || >= 1.0.0, < 1.2.6), under optimist 0.6.1 (its last release)
 *   minimist 0.0.8     the same advisory, under mkdirp 0.5.1 (mkdirp 0.5.6 requires a safe minimist)
 *   marked 3.0.8       GHSA-rrrm-qjm4-v8hf (< 4.0.10): no 3.x fix, and 4.x drops the default export
 */

type Files = Record<string, string>;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const GITIGNORE = "node_modules/\n";

function manifest(name: string, dependencies: Record<string, string>) {
  return { name, version: "1.0.0", private: true, scripts: { test: "node --test" }, dependencies };
}

function lock(name: string, dependencies: Record<string, string>, packages: Record<string, unknown>) {
  return { name, version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name, version: "1.0.0", dependencies }, ...packages } };
}

const LODASH_4_17_20 = {
  version: "4.17.20",
  resolved: "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz",
  integrity: "sha512-PlhdFcillOINfeV7Ni6oF1TAEayyZBoZ8bcshTHqOYJYlrqzRK5hagpagky5o4HfCzzd1TRkXPMFq6cKk9rGmA==",
  license: "MIT",
};
const MS_2_1_2 = {
  version: "2.1.2",
  resolved: "https://registry.npmjs.org/ms/-/ms-2.1.2.tgz",
  integrity: "sha512-sGkPx+VjMtmA6MX27oA4FBFELFCZZ4S4XqeGOXCv68tT+jb3vk/RyaKWP0PTKyWtmLSM0b+adUTEvbs1PEaH2w==",
  license: "MIT",
};

/** lodash 4.17.20 used directly (its `template`), next to an unrelated `ms`. */
export function lodashProject(): Files {
  const deps = { lodash: "^4.17.20", ms: "2.1.2" };
  return {
    ".gitignore": GITIGNORE,
    "package.json": json(manifest("greeter", deps)),
    "package-lock.json": json(lock("greeter", deps, { "node_modules/lodash": LODASH_4_17_20, "node_modules/ms": MS_2_1_2 })),
    "src/greet.js": 'const template = require("lodash/template");\nconst ms = require("ms");\n\nexports.greet = (name) => template("Hello <%= name %>!")({ name });\nexports.timeout = () => ms("2s");\n',
    "test/greet.test.js":
      'const assert = require("node:assert");\nconst test = require("node:test");\nconst { greet, timeout } = require("../src/greet.js");\n\ntest("greets", () => assert.strictEqual(greet("Ada"), "Hello Ada!"));\ntest("times out", () => assert.strictEqual(timeout(), 2000));\n',
  };
}

/** The lodash project managed with pnpm 9 (its lockfile as pnpm 9 writes it). */
export function lodashPnpmProject(): Files {
  const { "package-lock.json": _npm, ...files } = lodashProject();
  return {
    ...files,
    "pnpm-lock.yaml": [
      "lockfileVersion: '9.0'",
      "",
      "settings:",
      "  autoInstallPeers: true",
      "  excludeLinksFromLockfile: false",
      "",
      "importers:",
      "",
      "  .:",
      "    dependencies:",
      "      lodash:",
      "        specifier: ^4.17.20",
      "        version: 4.17.20",
      "      ms:",
      "        specifier: 2.1.2",
      "        version: 2.1.2",
      "",
      "packages:",
      "",
      "  lodash@4.17.20:",
      "    resolution: {integrity: sha512-PlhdFcillOINfeV7Ni6oF1TAEayyZBoZ8bcshTHqOYJYlrqzRK5hagpagky5o4HfCzzd1TRkXPMFq6cKk9rGmA==}",
      "",
      "  ms@2.1.2:",
      "    resolution: {integrity: sha512-sGkPx+VjMtmA6MX27oA4FBFELFCZZ4S4XqeGOXCv68tT+jb3vk/RyaKWP0PTKyWtmLSM0b+adUTEvbs1PEaH2w==}",
      "",
      "snapshots:",
      "",
      "  lodash@4.17.20: {}",
      "",
      "  ms@2.1.2: {}",
      "",
    ].join("\n"),
  };
}

/** minimist 0.0.10 pulled in by optimist 0.6.1 (`~0.0.1`), next to an unrelated `ms`. */
export function optimistProject(): Files {
  const deps = { ms: "2.1.2", optimist: "0.6.1" };
  return {
    ".gitignore": GITIGNORE,
    "package.json": json(manifest("cli", deps)),
    "package-lock.json": json(
      lock("cli", deps, {
        "node_modules/minimist": {
          version: "0.0.10",
          resolved: "https://registry.npmjs.org/minimist/-/minimist-0.0.10.tgz",
          integrity: "sha512-iotkTvxc+TwOm5Ieim8VnSNvCDjCK9S8G3scJ50ZthspSxa7jx50jkhYduuAtAjvfDUwSgOwf8+If99AlOEhyw==",
          license: "MIT",
        },
        "node_modules/ms": MS_2_1_2,
        "node_modules/optimist": {
          version: "0.6.1",
          resolved: "https://registry.npmjs.org/optimist/-/optimist-0.6.1.tgz",
          integrity: "sha512-snN4O4TkigujZphWLN0E//nQmm7790RYaE53DdL7ZYwee2D8DDo9/EyYiKUfN3rneWUjhJnueija3G9I2i0h3g==",
          license: "MIT/X11",
          dependencies: { minimist: "~0.0.1", wordwrap: "~0.0.2" },
        },
        "node_modules/wordwrap": {
          version: "0.0.3",
          resolved: "https://registry.npmjs.org/wordwrap/-/wordwrap-0.0.3.tgz",
          integrity: "sha512-1tMA907+V4QmxV7dbRvb4/8MaRALK6q9Abid3ndMYnbyo8piisCmeONVqVSXqQA3KaP4SLt5b7ud6E2sqP8TFw==",
          license: "MIT",
          engines: { node: ">=0.4.0" },
        },
      }),
    ),
    "test/args.test.js":
      'const assert = require("node:assert");\nconst test = require("node:test");\nconst optimist = require("optimist");\n\ntest("parses flags", () => assert.strictEqual(optimist(["--port", "8080"]).argv.port, 8080));\n',
  };
}

/** minimist 0.0.8 pinned by mkdirp 0.5.1; mkdirp 0.5.6 requires `^1.2.6`. */
export function mkdirpProject(): Files {
  const deps = { mkdirp: "^0.5.1" };
  return {
    ".gitignore": GITIGNORE,
    "package.json": json(manifest("maker", deps)),
    "package-lock.json": json(
      lock("maker", deps, {
        "node_modules/minimist": {
          version: "0.0.8",
          resolved: "https://registry.npmjs.org/minimist/-/minimist-0.0.8.tgz",
          integrity: "sha512-miQKw5Hv4NS1Psg2517mV4e4dYNaO3++hjAvLOAzKqZ61rH8NS1SK+vbfBWZ5PY/Me/bEWhUwqMghEW5Fb9T7Q==",
          license: "MIT",
        },
        "node_modules/mkdirp": {
          version: "0.5.1",
          resolved: "https://registry.npmjs.org/mkdirp/-/mkdirp-0.5.1.tgz",
          integrity: "sha512-SknJC52obPfGQPnjIkXbmA6+5H15E+fR+E4iR2oQ3zzCLbd7/ONua69R/Gw7AgkTLsRG+r5fzksYwWe1AgTyWA==",
          license: "MIT",
          dependencies: { minimist: "0.0.8" },
          bin: { mkdirp: "bin/cmd.js" },
        },
      }),
    ),
  };
}

const MARKED = {
  "3.0.8": {
    version: "3.0.8",
    resolved: "https://registry.npmjs.org/marked/-/marked-3.0.8.tgz",
    integrity: "sha512-0gVrAjo5m0VZSJb4rpL59K1unJAMb/hm8HRXqasD8VeC8m91ytDPMritgFSlKonfdt+rRYYpP/JfLxgIX8yoSw==",
    license: "MIT",
    bin: { marked: "bin/marked" },
    engines: { node: ">= 12" },
  },
  "4.0.10": {
    version: "4.0.10",
    resolved: "https://registry.npmjs.org/marked/-/marked-4.0.10.tgz",
    integrity: "sha512-+QvuFj0nGgO970fySghXGmuw+Fd0gD2x3+MqCWLIPf5oxdv1Ka6b2q+z9RP01P/IaKPMEramy+7cNy/Lw8c3hw==",
    license: "MIT",
    bin: { marked: "bin/marked.js" },
    engines: { node: ">= 12" },
  },
} as const;

/** The code that marked 4 breaks: it calls the default export, which 4.0 removed. */
export const RENDER_JS = 'const marked = require("marked");\n\nexports.render = (markdown) => marked(markdown);\n';
export const RENDER_JS_FIXED = 'const { marked } = require("marked");\n\nexports.render = (markdown) => marked(markdown);\n';

/** marked 3.0.8 (or, for Dependabot's branch, 4.0.10) rendering a heading. */
export function markedProject(version: keyof typeof MARKED = "3.0.8"): Files {
  const deps = { marked: `^${version}` };
  return {
    ".gitignore": GITIGNORE,
    "package.json": json(manifest("render", deps)),
    "package-lock.json": json(lock("render", deps, { "node_modules/marked": MARKED[version] })),
    "src/render.js": RENDER_JS,
    "test/render.test.js":
      'const assert = require("node:assert");\nconst test = require("node:test");\nconst { render } = require("../src/render.js");\n\ntest("renders a heading", () => assert.match(render("# Hi"), /<h1[^>]*>Hi<\\/h1>/));\n',
  };
}

/** The advisories of the fixtures, as `dependabotAlert` takes them. */
export const ADVISORIES = {
  lodash: { packageName: "lodash", ghsaId: "GHSA-35jh-r3h4-6jhm", cveId: "CVE-2021-23337", severity: "high", summary: "Command Injection in lodash", vulnerabilities: [{ range: "< 4.17.21", firstPatched: "4.17.21" }] },
  minimist: {
    packageName: "minimist",
    ghsaId: "GHSA-xvch-5gv4-984h",
    cveId: "CVE-2021-44906",
    severity: "critical",
    summary: "Prototype Pollution in minimist",
    vulnerabilities: [
      { range: "< 0.2.4", firstPatched: "0.2.4" },
      { range: ">= 1.0.0, < 1.2.6", firstPatched: "1.2.6" },
    ],
  },
  marked: { packageName: "marked", ghsaId: "GHSA-rrrm-qjm4-v8hf", cveId: "CVE-2022-21681", severity: "high", summary: "Inefficient Regular Expression Complexity in marked", vulnerabilities: [{ range: "< 4.0.10", firstPatched: "4.0.10" }] },
} as const;
