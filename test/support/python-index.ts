/**
 * A PEP 503 simple index on 127.0.0.1 for the Python toolchain tests, since
 * PyPI is out of reach: `/simple/` and `/simple/<project>/` pages linking
 * each wheel with its `#sha256=`, and the wheels under `/files/`. The wheels
 * are tiny ones built in the test, or repacked from distributions installed
 * on this machine (pytest and its requirements; Debian's python3-pytest on a
 * fresh machine), by `python-wheels.py`.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runProcess } from "../../src/workspace/run-process.ts";

const WHEELS_SCRIPT = fileURLToPath(new URL("python-wheels.py", import.meta.url));

export interface PythonIndex {
  /** `http://127.0.0.1:<port>/simple/` */
  readonly url: string;
  /** `127.0.0.1:<port>`, for the setup network's allowlist. */
  readonly hostPort: string;
  /** Paths asked for, in order. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/** PEP 503's normalised project name. */
export function projectName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

/** Serves `wheels` (paths of `.whl` files) until closed. */
export async function startPythonIndex(wheels: readonly string[]): Promise<PythonIndex> {
  const files = new Map<string, { data: Buffer; project: string; sha256: string }>();
  for (const wheel of wheels) {
    const data = await readFile(wheel);
    const name = path.basename(wheel);
    files.set(name, { data, project: projectName(name.split("-")[0] ?? name), sha256: createHash("sha256").update(data).digest("hex") });
  }
  const projects = [...new Set([...files.values()].map((file) => file.project))].sort();
  const requests: string[] = [];
  const page = (title: string, links: string[]): string =>
    `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"><title>${title}</title></head><body>\n${links.join("<br>\n")}\n</body></html>\n`;
  const server = createServer((request, response) => {
    const url = decodeURIComponent((request.url ?? "/").split("?")[0] ?? "/");
    requests.push(url);
    const send = (status: number, type: string, body: string | Buffer): void => {
      response.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
      response.end(request.method === "HEAD" ? undefined : body);
    };
    if (url === "/simple/") return send(200, "text/html", page("Simple index", projects.map((p) => `<a href="/simple/${p}/">${p}</a>`)));
    const project = /^\/simple\/([^/]+)\/?$/.exec(url)?.[1];
    if (project !== undefined) {
      const links = [...files].filter(([, file]) => file.project === projectName(project)).map(([name, file]) => `<a href="/files/${name}#sha256=${file.sha256}">${name}</a>`);
      return links.length === 0 ? send(404, "text/plain", "no such project\n") : send(200, "text/html", page(`Links for ${project}`, links));
    }
    const file = files.get(/^\/files\/([^/]+)$/.exec(url)?.[1] ?? "");
    return file === undefined ? send(404, "text/plain", "not found\n") : send(200, "application/octet-stream", file.data);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the index has no port");
  const hostPort = `127.0.0.1:${address.port}`;
  return {
    url: `http://${hostPort}/simple/`,
    hostPort,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A tiny wheel of `files` (`{"calc/__init__.py": "..."}`) in `outDir`; returns its path. */
export async function buildWheel(
  python: string,
  outDir: string,
  spec: { name: string; version: string; files: Record<string, string>; requires?: string[] },
): Promise<string> {
  const [wheel] = await runWheels(python, ["build", outDir, JSON.stringify(spec)]);
  if (wheel === undefined) throw new Error("no wheel built");
  return wheel;
}

/** Wheels of installed distributions (`pytest`) and everything they require, repacked by `python`. */
export async function repackInstalledWheels(python: string, outDir: string, names: readonly string[]): Promise<string[]> {
  return runWheels(python, ["repack", outDir, ...names]);
}

async function runWheels(python: string, args: readonly string[]): Promise<string[]> {
  const result = await runProcess({ file: python, args: ["-I", WHEELS_SCRIPT, ...args], cwd: "/", env: { LC_ALL: "C.UTF-8" }, timeoutMs: 120_000, outputLimitBytes: 1 << 20 });
  if (result.exitCode !== 0) throw new Error(`python-wheels.py ${args[0] ?? ""} failed: ${result.output}`);
  return JSON.parse(result.output.trim().split("\n").at(-1) ?? "[]") as string[];
}
