/**
 * The environment of the `patchwright` command. It needs no GitHub App: only
 * the model endpoint (the same variables and model profiles as the app), the
 * data directory, prices and the sandbox switch. The model settings are
 * validated by the app's own loader (`config/env.ts`), given placeholder App
 * credentials the command never uses, so both read them identically.
 */
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { EnvError, loadEnv, type AppEnv } from "../config/env.ts";

export interface CliEnv {
  readonly model: AppEnv["model"];
  readonly prices: AppEnv["prices"];
  /** Where the job store (SQLite) and traces live. */
  readonly dataDir: string;
  readonly allowUnsandboxed: boolean;
  readonly gitPassthrough: AppEnv["gitPassthrough"];
  /** For `doctor` only: checked when set. */
  readonly redisUrl: string | undefined;
  /** The user's home: their git identity (`~/.gitconfig`). */
  readonly home: string | undefined;
}

const optional = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const CliSchema = z.object({
  OPENAI_API_KEY: optional,
  OPENAI_BASE_URL: optional,
  PATCHWRIGHT_DATA_DIR: optional,
  XDG_DATA_HOME: optional,
  HOME: optional,
  REDIS_URL: z.preprocess((v) => (v === "" ? undefined : v), z.string().url().optional()),
});

/** Variables of the app alone: never read (nor validated) by the command. */
const APP_ONLY = ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "PORT", "HOST", "GHE_HOST", "GHE_PROTOCOL", "PATCHWRIGHT_COALESCE_MS"];
const PLACEHOLDER_KEY = "-----BEGIN PLACEHOLDER PRIVATE KEY-----\nunused by the patchwright command\n-----END PLACEHOLDER PRIVATE KEY-----";

/** The default data directory on a laptop: never the repository being fixed (`./.data` would be in its working tree). */
export function defaultDataDir(raw: { XDG_DATA_HOME?: string | undefined; HOME?: string | undefined }): string {
  if (raw.XDG_DATA_HOME) return path.join(raw.XDG_DATA_HOME, "patchwright");
  if (raw.HOME) return path.join(raw.HOME, ".local", "share", "patchwright");
  // Never the working directory: that is usually the repository being fixed.
  return path.join(tmpdir(), "patchwright");
}

/**
 * @param needsModel false for commands that work without a model (`replay`, `doctor`).
 * @throws EnvError naming the variable and what to set.
 */
export function loadCliEnv(raw: Readonly<Record<string, string | undefined>>, cwd: string, options: { needsModel: boolean }): CliEnv {
  const parsed = CliSchema.safeParse(raw);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
  }
  const e = parsed.data;
  const hasModel = e.OPENAI_API_KEY !== undefined || e.OPENAI_BASE_URL !== undefined;
  if (options.needsModel && !hasModel) {
    throw new EnvError(
      "No model configured: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (any OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 for Ollama), and PATCHWRIGHT_MODEL for the model's name.",
    );
  }
  const rest = Object.fromEntries(Object.entries(raw).filter(([name]) => !APP_ONLY.includes(name)));
  const loaded = loadEnv(
    {
      ...rest,
      APP_ID: "1",
      PRIVATE_KEY: PLACEHOLDER_KEY,
      WEBHOOK_SECRET: "unused-by-the-cli",
      PATCHWRIGHT_DATA_DIR: e.PATCHWRIGHT_DATA_DIR ?? defaultDataDir(e),
      ...(hasModel ? {} : { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" }),
    },
    cwd,
  );
  if (loaded.mode !== "app") throw new EnvError("internal: the model settings could not be read");
  const { env } = loaded;
  return {
    model: env.model,
    prices: env.prices,
    dataDir: env.dataDir,
    allowUnsandboxed: env.allowUnsandboxed,
    gitPassthrough: env.gitPassthrough,
    redisUrl: e.REDIS_URL,
    home: e.HOME,
  };
}
