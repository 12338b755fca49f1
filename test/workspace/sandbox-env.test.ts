import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PatchwrightError } from "../../src/errors.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { buildSandboxEnv } from "../../src/workspace/sandbox-env.ts";
import { tempDir } from "./helpers.ts";

describe("buildSandboxEnv (no credential ever enters the sandbox)", () => {
  it.each([
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "NPM_TOKEN",
    "NODE_AUTH_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
    "npm_config__authToken",
    "npm_config__auth",
    "OPENAI_API_KEY",
    "api_key",
    "APIKEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "PRIVATE_KEY",
    "GITHUB_APP_PRIVATE_KEY",
    "WEBHOOK_SECRET",
    "client_secret",
    "DB_PASSWORD",
    "PGPASSWD",
    "GOOGLE_APPLICATION_CREDENTIALS",
  ])("refuses a variable named %s, even passed explicitly", (name) => {
    expect(() => buildSandboxEnv("/tmp/home", { [name]: "value" })).toThrow(
      expect.objectContaining({ code: "policy_violation", message: expect.stringContaining(`${name} is named like a credential`) }),
    );
  });

  it.each([
    ["a GitHub token", "ghs_AbcdefGhijklmnopQrstuvwxyz0123456789"],
    ["an OpenAI-style key", "sk-abcdefghijklmnop0123456789"],
    ["a private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"],
    ["credentials in a URL", "https://x-access-token:abc@github.com/o/r.git"],
  ])("refuses %s hidden under an innocent name", (_label, value) => {
    expect(() => buildSandboxEnv("/tmp/home", { REGISTRY_URL: value })).toThrow(/REGISTRY_URL holds a value shaped like a credential/);
  });

  it.each(["A=B", "1X", "", "X Y"])("refuses the invalid name %j", (name) => {
    expect(() => buildSandboxEnv("/tmp/home", { [name]: "v" })).toThrow(/not a valid variable name/);
  });

  it("keeps ordinary variables, including names that merely contain KEY or AUTH", () => {
    const extra = { GIT_AUTHOR_NAME: "Patchwright", TOKENIZERS_PARALLELISM: "false", KEYBOARD: "us", MONKEY: "1", npm_config_cache: "/cache" };
    expect(buildSandboxEnv("/tmp/home", extra)).toEqual({
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      HOME: "/tmp/home",
      LANG: "C.UTF-8",
      CI: "true",
      TERM: "dumb",
      ...extra,
    });
  });

  it("makes sandbox.run refuse before anything runs", async () => {
    const root = await tempDir();
    const sandbox = await createSandbox({ root });
    const error = await sandbox.run("touch ran", { env: { NPM_TOKEN: "npm_abcdef0123456789" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PatchwrightError);
    expect((error as PatchwrightError).code).toBe("policy_violation");
    expect((error as PatchwrightError).message).not.toContain("npm_abcdef0123456789");
    expect(existsSync(path.join(root, "ran"))).toBe(false);
  });
});
