import type { Sandbox } from "../../workspace/types.ts";

/** What the advisory job asks the npm registry. */
export interface NpmRegistry {
  /** Every published version of a package. */
  versions(name: string): Promise<string[]>;
  /** The versions in `range` with their runtime dependencies. */
  dependencies(name: string, range: string): Promise<{ version: string; dependencies: Record<string, string> }[]>;
}

const TIMEOUT_MS = 2 * 60_000;
/** npm's rules for package names (lower case, URL-safe, optional scope): nothing a shell would read. */
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

export function isPackageName(name: string): boolean {
  return PACKAGE_NAME.test(name) && name.length <= 214;
}

/**
 * The registry as `npm view` sees it from inside the sandbox (with network):
 * the repository's `.npmrc` (a private registry, a mirror) applies, exactly
 * as for the lockfile commands. Answers are cached for the job.
 * @throws Error when npm fails or answers something that is not JSON.
 */
export function sandboxRegistry(sandbox: Sandbox, cwd: string): NpmRegistry {
  const cache = new Map<string, Promise<unknown>>();
  const view = (spec: string, fields: string): Promise<unknown> => {
    const key = `${spec} ${fields}`;
    let answer = cache.get(key);
    if (!answer) {
      answer = sandbox.run(`npm view '${spec}' ${fields} --json --loglevel=error 2>/dev/null`, { network: true, cwd, timeoutMs: TIMEOUT_MS }).then((r) => {
        const text = r.output.trim();
        if (r.exitCode !== 0 && text === "") throw new Error(`\`npm view ${spec} ${fields}\` failed (exit ${r.exitCode}): is the package published and the registry reachable?`);
        if (text === "") return [];
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new Error(`\`npm view ${spec} ${fields}\` did not answer JSON: ${text.slice(0, 200)}`);
        }
        const error = (json as { error?: { code?: string; summary?: string } } | null)?.error;
        // A range nothing matches is an answer (none), not a failure.
        if (error && /no match found/i.test(error.summary ?? "")) return [];
        if (error) throw new Error(`\`npm view ${spec} ${fields}\` failed: ${error.code ?? ""} ${error.summary ?? ""}`.trim());
        return json;
      });
      cache.set(key, answer);
    }
    return answer;
  };
  return {
    async versions(name) {
      if (!isPackageName(name)) throw new Error(`"${name}" is not an npm package name`);
      const answer = await view(name, "versions");
      return (Array.isArray(answer) ? answer : [answer]).filter((v): v is string => typeof v === "string");
    },
    async dependencies(name, range) {
      if (!isPackageName(name) || /'/.test(range)) throw new Error(`cannot ask the registry for ${name}@${range}`);
      const answer = await view(`${name}@${range}`, "version dependencies");
      const list = Array.isArray(answer) ? answer : [answer];
      // One field set per version; a version without dependencies comes back as its bare version string.
      return list.flatMap((e) => {
        if (typeof e === "string") return [{ version: e, dependencies: {} }];
        if (typeof e !== "object" || e === null || typeof (e as { version?: unknown }).version !== "string") return [];
        const entry = e as { version: string; dependencies?: Record<string, string> };
        return [{ version: entry.version, dependencies: entry.dependencies ?? {} }];
      });
    },
  };
}
