import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { defaultConcurrency, readMachine, type Machine } from "./default-concurrency.ts";
import { parsePriceTable, type PriceTable } from "./price-table.ts";

/**
 * The process environment, validated once at start-up. This is the only
 * module that reads `process.env`; everything else receives an `Env`.
 */

const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());

/**
 * The worker's own variables host git may use to reach a server (proxies,
 * corporate CAs) and to find its binaries. Nothing else of the environment,
 * secrets included, reaches a git process.
 */
export const GIT_PASSTHROUGH_NAMES = [
  "PATH",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "GIT_SSL_CAINFO",
] as const;

const EnvSchema = z.object({
  APP_ID: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().positive().optional()),
  PRIVATE_KEY: optionalString,
  PRIVATE_KEY_PATH: optionalString,
  WEBHOOK_SECRET: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: optionalString,
  GHE_HOST: optionalString,
  GHE_PROTOCOL: z.enum(["http", "https"]).default("https"),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.preprocess((v) => (v === "" ? undefined : v), z.string().url().optional()),
  PATCHWRIGHT_MODEL: z.string().min(1).default("gpt-4.1"),
  /** Which model API: `auto` (from the model's profile), `chat` (Chat Completions) or `responses`. */
  PATCHWRIGHT_MODEL_API: z.enum(["auto", "chat", "responses"]).default("auto"),
  /** Reasoning effort for reasoning models. */
  PATCHWRIGHT_REASONING_EFFORT: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).optional()),
  /** JSON overrides of the model's profile (see README "Models and providers"). */
  PATCHWRIGHT_MODEL_PROFILE: optionalString,
  /** Azure's api-version for a classic deployment URL that does not carry one. */
  OPENAI_API_VERSION: optionalString,
  /** `0` skips the start-up probe (one tiny tool-calling request). */
  PATCHWRIGHT_MODEL_PROBE: z.enum(["0", "1", "true", "false"]).default("1"),
  PATCHWRIGHT_DATA_DIR: z.string().min(1).default("./.data"),
  PATCHWRIGHT_ALLOW_UNSANDBOXED: z.enum(["0", "1", "true", "false"]).default("0"),
  /** How long a new CI job waits for other failures of the same commit, to handle them as one. */
  PATCHWRIGHT_COALESCE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** `off`: no speculative work (a waiting job's commit fetched early, the workspace opened while the evidence is fetched). */
  PATCHWRIGHT_SPECULATE: z.enum(["on", "off"]).default("on"),
  /** JSON price table, USD per million tokens: `{"my-model": {"input": 1, "output": 2}}`. */
  PATCHWRIGHT_PRICES: optionalString,
  /** Jobs one process runs at once (default from CPUs and free memory: default-concurrency.ts); 0: webhooks only, `npm run worker` processes run the jobs. */
  PATCHWRIGHT_CONCURRENCY: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(0).max(256).optional()),
  /** Jobs one installation, or one repository, may have running at once across every process of the store. */
  PATCHWRIGHT_MAX_PER_INSTALLATION: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(256).optional()),
  PATCHWRIGHT_MAX_PER_REPOSITORY: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(256).optional()),
  /** The host's read-only toolchain cache (Node, pnpm, Yarn, Bun, Python), shared by every job; default `<data dir>/toolchains`. */
  PATCHWRIGHT_TOOLCHAIN_DIR: optionalString,
  /** npm registry the host's toolchain cache downloads Node, pnpm, Yarn and Bun from. */
  PATCHWRIGHT_NPM_REGISTRY: z.preprocess((v) => (v === "" ? undefined : v), z.string().url().default("https://registry.npmjs.org")),
  /** Extra `host` or `host:port` entries the setup phase may reach besides the package registries (comma-separated). */
  PATCHWRIGHT_SETUP_ALLOWED_HOSTS: optionalString,
  /** Python package index for setup (`pip`, `uv`): a PEP 503 `/simple` URL; default PyPI. */
  PATCHWRIGHT_PYTHON_INDEX: z.preprocess((v) => (v === "" ? undefined : v), z.string().url().optional()),
  /** Directories holding more Python interpreters (`/opt/python/3.12/bin:~/.pyenv/versions/3.9.19/bin`), colon-separated. */
  PATCHWRIGHT_PYTHON_DIRS: optionalString,
  /** Switches the queue from the embedded SQLite store to this Redis, shared by workers on many machines (`redis://[:password@]host:port[/db]`, or `rediss://`). */
  REDIS_URL: z.preprocess((v) => (v === "" ? undefined : v), z.string().url().refine((u) => /^rediss?:\/\//.test(u), "must start with redis:// or rediss://").optional()),
  /** The operator's token for the dashboard at /patchwright (unset: no dashboard). */
  PATCHWRIGHT_OPERATOR_TOKEN: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(24, "use at least 24 characters (e.g. `openssl rand -hex 32`)").optional()),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
  ...Object.fromEntries(GIT_PASSTHROUGH_NAMES.map((name) => [name, z.string().optional()])),
});

export interface AppEnv {
  readonly appId: number;
  readonly privateKey: string;
  readonly webhookSecret: string;
  readonly port: number;
  readonly host: string | undefined;
  /** REST base URL: `https://api.github.com` or `<protocol>://<GHE_HOST>/api/v3`. */
  readonly githubApiUrl: string;
  readonly model: {
    readonly baseURL: string | undefined;
    readonly apiKey: string;
    readonly name: string;
    readonly apiVersion: string | undefined;
    readonly api: "auto" | "chat" | "responses";
    readonly reasoningEffort: "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | undefined;
    /** Validated `PATCHWRIGHT_MODEL_PROFILE` overrides. */
    readonly profile: ModelProfileOverrides | undefined;
    readonly probe: boolean;
  };
  readonly prices: PriceTable;
  readonly dataDir: string;
  readonly allowUnsandboxed: boolean;
  readonly coalesceMs: number;
  /**
   * Work a job will need that depends on neither its coalescing window nor
   * its evidence starts early: its commit is fetched into the mirror while it
   * waits, its workspace opens while the evidence is fetched.
   */
  readonly speculate: boolean;
  /** How many jobs this process runs at once, and the caps that keep one tenant from taking every slot. */
  readonly jobs: {
    readonly concurrency: number;
    readonly maxPerInstallation: number;
    readonly maxPerRepository: number;
  };
  /** Where toolchains come from: the npm registry, the setup network's extra hosts, Python's index and interpreters. */
  readonly toolchains: {
    readonly dir: string;
    readonly npmRegistry: string;
    readonly setupAllowedHosts: readonly string[];
    readonly pythonIndex: string | undefined;
    readonly pythonDirs: readonly string[];
  };
  /** Set: the queue is on this Redis, shared by every process (docs/0017). */
  readonly redisUrl: string | undefined;
  /** The dashboard's operator token; unset, `/patchwright` answers 404. */
  readonly operatorToken: string | undefined;
  readonly logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
  /** What host git processes get of the worker's environment (`GIT_PASSTHROUGH_NAMES`). */
  readonly gitPassthrough: Readonly<Record<string, string>>;
}

export type LoadedEnv = { mode: "setup" } | { mode: "app"; env: AppEnv };

export class EnvError extends Error {
  override readonly name = "EnvError";
}

/**
 * Validates the environment. With no GitHub App credentials at all the app
 * starts in setup mode (Probot's page that registers the app from `app.yml`);
 * with some but not all, it fails fast naming what is missing.
 */
export function loadEnv(raw: NodeJS.ProcessEnv, cwd = process.cwd(), machine: Machine = readMachine()): LoadedEnv {
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}\nFix these variables (see README "Configuration").`);
  }
  const e = parsed.data;
  const privateKey = e.PRIVATE_KEY ?? readKeyFile(e.PRIVATE_KEY_PATH, cwd);
  if (e.APP_ID === undefined && privateKey === undefined && e.WEBHOOK_SECRET === undefined) return { mode: "setup" };

  const missing: string[] = [];
  if (e.APP_ID === undefined) missing.push("APP_ID (the GitHub App's numeric id)");
  if (privateKey === undefined) missing.push("PRIVATE_KEY or PRIVATE_KEY_PATH (the App's PEM private key)");
  if (e.WEBHOOK_SECRET === undefined) missing.push("WEBHOOK_SECRET (the App's webhook secret)");
  if (e.OPENAI_API_KEY === undefined && e.OPENAI_BASE_URL === undefined)
    missing.push("OPENAI_API_KEY or OPENAI_BASE_URL (the model endpoint; a local server may need no key)");
  if (missing.length > 0 || e.APP_ID === undefined || privateKey === undefined || e.WEBHOOK_SECRET === undefined) {
    throw new EnvError(`Missing configuration:\n${missing.map((m) => `  ${m}`).join("\n")}`);
  }
  const normalizedKey = privateKey.includes("\\n") ? privateKey.replace(/\\n/g, "\n") : privateKey;
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(normalizedKey)) {
    throw new EnvError("PRIVATE_KEY: not a PEM private key (expected '-----BEGIN RSA PRIVATE KEY-----').");
  }

  const dataDir = path.resolve(cwd, e.PATCHWRIGHT_DATA_DIR);
  // The sandbox shows these read-only to repository code: the ledger and mirrors must not be there.
  if (["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"].some((p) => dataDir === p || dataDir.startsWith(`${p}/`))) {
    throw new EnvError(`PATCHWRIGHT_DATA_DIR: ${dataDir} is inside a system directory the sandbox exposes; choose e.g. /var/lib/patchwright.`);
  }

  return {
    mode: "app",
    env: {
      appId: e.APP_ID,
      privateKey: normalizedKey,
      webhookSecret: e.WEBHOOK_SECRET,
      port: e.PORT,
      host: e.HOST,
      githubApiUrl: e.GHE_HOST ? `${e.GHE_PROTOCOL}://${e.GHE_HOST}/api/v3` : "https://api.github.com",
      model: {
        baseURL: e.OPENAI_BASE_URL,
        apiKey: e.OPENAI_API_KEY ?? "unused",
        name: e.PATCHWRIGHT_MODEL,
        apiVersion: e.OPENAI_API_VERSION,
        api: e.PATCHWRIGHT_MODEL_API,
        reasoningEffort: e.PATCHWRIGHT_REASONING_EFFORT,
        profile: parseModelProfile(e.PATCHWRIGHT_MODEL_PROFILE),
        probe: e.PATCHWRIGHT_MODEL_PROBE === "1" || e.PATCHWRIGHT_MODEL_PROBE === "true",
      },
      prices: parsePrices(e.PATCHWRIGHT_PRICES),
      dataDir,
      allowUnsandboxed: e.PATCHWRIGHT_ALLOW_UNSANDBOXED === "1" || e.PATCHWRIGHT_ALLOW_UNSANDBOXED === "true",
      coalesceMs: e.PATCHWRIGHT_COALESCE_MS,
      speculate: e.PATCHWRIGHT_SPECULATE === "on",
      jobs: jobsOf(e, machine),
      toolchains: {
        dir: path.resolve(cwd, e.PATCHWRIGHT_TOOLCHAIN_DIR ?? path.join(dataDir, "toolchains")),
        npmRegistry: e.PATCHWRIGHT_NPM_REGISTRY.replace(/\/+$/, ""),
        setupAllowedHosts: listOf(e.PATCHWRIGHT_SETUP_ALLOWED_HOSTS, ","),
        pythonIndex: e.PATCHWRIGHT_PYTHON_INDEX,
        pythonDirs: listOf(e.PATCHWRIGHT_PYTHON_DIRS, ":"),
      },
      redisUrl: e.REDIS_URL,
      operatorToken: e.PATCHWRIGHT_OPERATOR_TOKEN,
      logLevel: e.LOG_LEVEL,
      gitPassthrough: gitPassthroughOf(e as Record<string, unknown>),
    },
  };
}

/** Concurrency and caps: half the slots per installation and one job per repository unless set. */
function jobsOf(e: z.infer<typeof EnvSchema>, machine: Machine): AppEnv["jobs"] {
  const concurrency = e.PATCHWRIGHT_CONCURRENCY ?? defaultConcurrency(machine);
  return {
    concurrency,
    maxPerInstallation: e.PATCHWRIGHT_MAX_PER_INSTALLATION ?? Math.max(1, Math.ceil(concurrency / 2)),
    maxPerRepository: e.PATCHWRIGHT_MAX_PER_REPOSITORY ?? 1,
  };
}

function listOf(value: string | undefined, separator: string): string[] {
  return (value ?? "").split(separator).map((item) => item.trim()).filter((item) => item !== "");
}

function gitPassthroughOf(e: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(GIT_PASSTHROUGH_NAMES.flatMap((name) => (typeof e[name] === "string" ? [[name, e[name]]] : [])));
}

/** `PATCHWRIGHT_MODEL_PROFILE`: what the model accepts, over the built-in table. */
const ModelProfileSchema = z
  .object({
    api: z.enum(["chat", "responses"]),
    reasoning: z.boolean(),
    temperature: z.boolean(),
    seed: z.boolean(),
    maxTokensParam: z.enum(["max_tokens", "max_completion_tokens"]),
    maxOutputTokens: z.number().int().positive(),
    reasoningEffort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]),
    passback: z.array(z.enum(["reasoning_content", "thought_signatures", "thinking_blocks", "reasoning_items"])),
    contextWindow: z.number().int().min(2_048),
    toolCalls: z.enum(["native", "text"]),
    toolGenerationRetries: z.number().int().min(0).max(5),
  })
  .partial()
  .strict();

export type ModelProfileOverrides = z.infer<typeof ModelProfileSchema>;

function parseModelProfile(json: string | undefined): ModelProfileOverrides | undefined {
  if (json === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new EnvError('PATCHWRIGHT_MODEL_PROFILE: not JSON. Expected e.g. {"temperature": false, "contextWindow": 32768}.');
  }
  const parsed = ModelProfileSchema.safeParse(raw);
  if (!parsed.success) throw new EnvError(`PATCHWRIGHT_MODEL_PROFILE: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

function parsePrices(json: string | undefined): PriceTable {
  try {
    return parsePriceTable(json);
  } catch (error) {
    throw new EnvError((error as Error).message);
  }
}

function readKeyFile(file: string | undefined, cwd: string): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(path.resolve(cwd, file), "utf8");
  } catch (error) {
    throw new EnvError(`PRIVATE_KEY_PATH: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error}).`);
  }
}

/** Every secret value of the environment, for the redactor. */
export function secretsOf(env: AppEnv): string[] {
  return [env.privateKey, env.webhookSecret, env.model.apiKey === "unused" ? "" : env.model.apiKey, env.operatorToken ?? "", redisPasswordOf(env.redisUrl)];
}

/** The password in a Redis URL, to be redacted wherever the URL or an error quoting it is logged. */
function redisPasswordOf(url: string | undefined): string {
  if (url === undefined) return "";
  const { password } = new URL(url);
  return password === "" ? "" : decodeURIComponent(password);
}
