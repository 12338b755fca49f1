import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { TEST_PRIVATE_KEY } from "../support/test-probot.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface AppProcess {
  url: string;
  /** Every log line the app printed (JSON objects, or raw text). */
  logs: string[];
  stop(): Promise<void>;
  /** SIGKILL: the process dies mid-work, as in a crash. */
  kill(): Promise<void>;
}

/**
 * Starts the app the way an operator does (`node src/main.ts`, which is what
 * `npm start` runs; `args: ["worker"]` is `npm run worker`) and resolves once
 * it logs that it is listening.
 */
export async function startAppProcess(env: Record<string, string>, options: { args?: readonly string[] } = {}): Promise<AppProcess> {
  const child: ChildProcess = spawn(process.execPath, ["src/main.ts", ...(options.args ?? [])], {
    cwd: ROOT,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", LOG_LEVEL: "info", PORT: "0", HOST: "127.0.0.1", ...trustedCertificates(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        logs.push(line);
        if (process.env["E2E_VERBOSE"]) console.log(line);
        const port = /"port":(\d+).*patchwright listening/.exec(line)?.[1];
        if (port) resolve(`http://127.0.0.1:${port}`);
      });
    }
    void exited.then((code) => reject(new Error(`app exited with ${code} before listening:\n${logs.join("\n")}`)));
  });
  return {
    url,
    logs,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * The certificate authorities this machine tells programs to trust (a
 * TLS-inspecting proxy in front of the package registries, say): an operator
 * gives them to the app the same way, and the toolchain cache and the
 * sandbox's tools need them to reach the registries.
 */
function trustedCertificates(): Record<string, string> {
  const names = ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"];
  return Object.fromEntries(names.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
}

/** Sends a webhook signed like GitHub signs it. */
export async function sendWebhook(
  appUrl: string,
  args: { name: string; payload: unknown; delivery: string; secret: string; signature?: string },
): Promise<Response> {
  const body = JSON.stringify(args.payload);
  const signature = args.signature ?? `sha256=${createHmac("sha256", args.secret).update(body).digest("hex")}`;
  return fetch(`${appUrl}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": args.name,
      "x-github-delivery": args.delivery,
      "x-hub-signature-256": signature,
    },
    body,
  });
}

/** The environment of an app talking to a fake GitHub and a scripted model (test keys only). */
export function appEnv(args: { githubHost: string; modelBaseURL: string; webhookSecret: string; modelKey: string; dataDir: string }): Record<string, string> {
  return {
    APP_ID: "1",
    PRIVATE_KEY: TEST_PRIVATE_KEY,
    WEBHOOK_SECRET: args.webhookSecret,
    GHE_HOST: args.githubHost,
    GHE_PROTOCOL: "http",
    OPENAI_BASE_URL: args.modelBaseURL,
    OPENAI_API_KEY: args.modelKey,
    PATCHWRIGHT_MODEL: "scripted",
    PATCHWRIGHT_DATA_DIR: args.dataDir,
  };
}
