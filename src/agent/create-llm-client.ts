import OpenAI, { AzureOpenAI } from "openai";
import { PatchwrightError } from "../errors.ts";

export interface LlmClientOptions {
  /**
   * An OpenAI-compatible base URL ending in `/v1` (OpenAI, vLLM, Ollama, LiteLLM, the test server),
   * an Azure v1 endpoint (`https://<resource>.openai.azure.com/openai/v1`), or a classic Azure
   * deployment URL (`https://<resource>.openai.azure.com/openai/deployments/<name>?api-version=…`).
   */
  readonly baseURL: string;
  /** Bearer token (`api-key` for classic Azure); local endpoints often need none. */
  readonly apiKey?: string | undefined;
  /** Azure's `api-version` for a deployment URL, when the URL does not carry one (`OPENAI_API_VERSION`). */
  readonly apiVersion?: string | undefined;
  /** Per-request timeout. Default 5 minutes: a long tool-calling completion on a slow local model. */
  readonly timeoutMs?: number | undefined;
  /** Retries of 408/409/429/5xx and connection errors, with the SDK's backoff. Default 2. */
  readonly maxRetries?: number | undefined;
}

/** A classic Azure deployment URL: `…/openai/deployments/<name>[/…]`. */
const AZURE_DEPLOYMENT = /^(.*?\/openai)\/deployments\/([^/?#]+)/;

/**
 * The only place that constructs the OpenAI SDK client. Every option is
 * passed explicitly so the SDK never falls back to `OPENAI_*` or `AZURE_*`
 * variables of the process environment (configuration is read in
 * `config/env.ts` only). A classic Azure deployment URL gets the SDK's Azure
 * client (the `api-key` header, the `api-version` query); the Azure v1
 * endpoint is plain OpenAI (https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle).
 */
export function createLlmClient(options: LlmClientOptions): OpenAI {
  const apiKey = options.apiKey !== undefined && options.apiKey !== "" ? options.apiKey : "no-key";
  const common = {
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    timeout: options.timeoutMs ?? 5 * 60_000,
    maxRetries: options.maxRetries ?? 2,
    logLevel: "off" as const,
  };
  const url = new URL(options.baseURL);
  const deployment = AZURE_DEPLOYMENT.exec(url.origin + url.pathname);
  if (deployment) {
    const apiVersion = url.searchParams.get("api-version") ?? options.apiVersion;
    if (apiVersion === undefined || apiVersion === "") {
      throw new PatchwrightError(
        "env_invalid",
        `OPENAI_BASE_URL is an Azure deployment URL without an api-version. Add ?api-version=2024-10-21 (or the version your deployment supports) to it, set OPENAI_API_VERSION, or use the v1 endpoint ${url.origin}/openai/v1 with PATCHWRIGHT_MODEL set to the deployment name.`,
      );
    }
    return new AzureOpenAI({ ...common, baseURL: deployment[1]!, deployment: decodeURIComponent(deployment[2]!), apiVersion, apiKey });
  }
  // The SDK refuses to start without a key; endpoints such as Ollama ignore it.
  return new OpenAI({ ...common, baseURL: options.baseURL, apiKey });
}
