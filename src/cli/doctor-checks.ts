/**
 * The checks of `patchwright doctor`, each one real (git runs, a sandbox runs
 * `true`, the model answers a tool call, the store opens, Redis answers PING)
 * and each failure saying how to fix it.
 */
import { createPrivateKey } from "node:crypto";
import { access, constants, mkdir } from "node:fs/promises";
import { connect } from "node:net";
import { createChatModel, modelSettingsOf } from "../agent/create-chat-model.ts";
import { probeModel } from "../agent/probe-model.ts";
import { EnvError, loadEnv } from "../config/env.ts";
import { openSqliteQueue } from "../queue/sqlite-queue.ts";
import { createSandbox } from "../workspace/create-sandbox.ts";
import { createTempWorkspaceDir, removeWorkspace } from "../workspace/remove-workspace.ts";
import { runGit } from "../workspace/run-git.ts";
import { DEFAULT_SANDBOX_USER_NAME, resolveSandboxUser } from "../workspace/sandbox-user.ts";
import type { CliEnv } from "./cli-env.ts";

export type CheckResult = { ok: true; detail: string } | { ok: false; problem: string; fix: string } | { ok: "skipped"; detail: string };

export interface Check {
  name: string;
  run(): Promise<CheckResult>;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function doctorChecks(env: CliEnv, raw: Readonly<Record<string, string | undefined>>, cwd: string, redact: (t: string) => string): Check[] {
  return [
    {
      name: "git",
      async run() {
        const version = await runGit(["--version"]).catch(() => null);
        if (version?.exitCode === 0) return { ok: true, detail: version.stdout.trim() };
        return { ok: false, problem: "git is not installed or does not run", fix: "Install git (Debian/Ubuntu: sudo apt-get install git)." };
      },
    },
    {
      name: "bubblewrap",
      async run() {
        const dir = await createTempWorkspaceDir();
        try {
          const sandbox = await createSandbox({ root: dir });
          const result = await sandbox.run("true", { timeoutMs: 20_000 });
          if (result.exitCode !== 0) return { ok: false, problem: `a sandboxed \`true\` exited with ${result.exitCode}: ${result.output.trim()}`, fix: "Check that unprivileged user namespaces are enabled (sysctl kernel.unprivileged_userns_clone=1, or AppArmor's userns restriction on Ubuntu 24.04)." };
          const notes = sandbox.notes?.length ? ` (${sandbox.notes.join("; ")})` : "";
          return { ok: true, detail: `a sandbox with user, PID, network and mount namespaces runs${notes}` };
        } catch (error) {
          return { ok: false, problem: message(error), fix: "Install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap) and enable unprivileged user namespaces. PATCHWRIGHT_ALLOW_UNSANDBOXED=1 runs without it: only for code you trust." };
        } finally {
          await removeWorkspace(dir);
        }
      },
    },
    {
      name: "worker user",
      async run() {
        const uid = process.getuid?.();
        if (uid !== 0) return { ok: true, detail: `running as uid ${String(uid)}: sandboxed commands run as this user` };
        try {
          const user = await resolveSandboxUser(undefined);
          return { ok: true, detail: `running as root: sandboxed commands drop to uid ${String(user?.uid)}. Running as an unprivileged user is safer (a user "${DEFAULT_SANDBOX_USER_NAME}" is used when it exists).` };
        } catch (error) {
          return { ok: false, problem: message(error), fix: "Run as an unprivileged user, or install util-linux (setpriv)." };
        }
      },
    },
    {
      name: "model",
      async run() {
        if (raw["OPENAI_API_KEY"] === undefined && raw["OPENAI_BASE_URL"] === undefined) {
          return { ok: false, problem: "no model endpoint configured", fix: "Set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (any OpenAI-compatible server), and PATCHWRIGHT_MODEL." };
        }
        try {
          const configured = createChatModel(modelSettingsOf(env.model, { maxRateLimitRetries: 1, maxServerRetries: 1 }));
          const probe = await probeModel({ model: configured.model, modelName: env.model.name, adaptations: configured.adaptations, signal: AbortSignal.timeout(60_000) });
          return { ok: true, detail: `${env.model.name} at ${env.model.baseURL ?? "https://api.openai.com/v1"}: ${probe.lines.map(redact).join("; ")}` };
        } catch (error) {
          return { ok: false, problem: redact(message(error)), fix: "Check OPENAI_BASE_URL, OPENAI_API_KEY and PATCHWRIGHT_MODEL (the model must support tool calling); see README \"A local model\"." };
        }
      },
    },
    {
      name: "data directory",
      async run() {
        try {
          await mkdir(env.dataDir, { recursive: true });
          await access(env.dataDir, constants.W_OK);
          const queue = openSqliteQueue({ dataDir: env.dataDir });
          const jobs = (await queue.list()).length;
          await queue.close();
          return { ok: true, detail: `${env.dataDir} (job store with ${jobs} job(s))` };
        } catch (error) {
          return { ok: false, problem: `${env.dataDir}: ${message(error)}`, fix: "Set PATCHWRIGHT_DATA_DIR to a directory this user can write." };
        }
      },
    },
    {
      name: "redis",
      async run() {
        if (env.redisUrl === undefined) return { ok: "skipped", detail: "REDIS_URL is not set" };
        try {
          return { ok: true, detail: `${await pingRedis(env.redisUrl)} from ${new URL(env.redisUrl).host}` };
        } catch (error) {
          return { ok: false, problem: `REDIS_URL ${new URL(env.redisUrl).host}: ${message(error)}`, fix: "Start Redis, or fix or unset REDIS_URL." };
        }
      },
    },
    {
      name: "GitHub App",
      async run() {
        if (!["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET"].some((name) => raw[name])) return { ok: "skipped", detail: "APP_ID, PRIVATE_KEY and WEBHOOK_SECRET are not set (only the app needs them)" };
        try {
          // The model has its own check: here only the App's variables count.
          const loaded = loadEnv({ OPENAI_BASE_URL: "http://127.0.0.1:9/v1", ...raw }, cwd);
          if (loaded.mode !== "app") return { ok: false, problem: "incomplete", fix: "Set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET." };
          createPrivateKey(loaded.env.privateKey);
          return { ok: true, detail: `app ${loaded.env.appId}, private key readable, API ${loaded.env.githubApiUrl}` };
        } catch (error) {
          const problem = error instanceof EnvError ? error.message : `the private key does not parse: ${message(error)}`;
          return { ok: false, problem, fix: "Copy the values from the App's settings page (GitHub → Settings → Developer settings → GitHub Apps), or run npm start to register one." };
        }
      },
    },
  ];
}

/** One PING over TCP; resolves to Redis's answer. */
function pingRedis(url: string): Promise<string> {
  const { hostname, port, password, username } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname || "127.0.0.1", port: Number(port || 6379) });
    socket.setTimeout(3_000, () => socket.destroy(new Error("no answer within 3 s")));
    socket.once("error", reject);
    let answer = "";
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("utf8");
      const lines = answer.split("\r\n").filter(Boolean);
      const last = lines.at(-1) ?? "";
      if (password && lines.length < 2 && !last.startsWith("-")) return;
      socket.end();
      if (last.startsWith("+PONG")) resolve("PONG");
      else reject(new Error(`unexpected answer ${JSON.stringify(last.slice(0, 80))}`));
    });
    socket.once("connect", () => {
      const auth = password ? `AUTH ${username ? `${decodeURIComponent(username)} ` : ""}${decodeURIComponent(password)}\r\n` : "";
      socket.write(`${auth}PING\r\n`);
    });
  });
}
