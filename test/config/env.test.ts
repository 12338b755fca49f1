import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnv, secretsOf } from "../../src/config/env.ts";
import { TEST_PRIVATE_KEY } from "../support/test-probot.ts";

const complete = { APP_ID: "12", PRIVATE_KEY: TEST_PRIVATE_KEY, WEBHOOK_SECRET: "s3cret-value", OPENAI_API_KEY: "sk-abc" };

describe("loadEnv", () => {
  it("starts in setup mode with no credentials at all", () => {
    expect(loadEnv({})).toEqual({ mode: "setup" });
  });

  it("applies defaults and builds the Enterprise API URL", () => {
    const loaded = loadEnv({ ...complete, GHE_HOST: "ghe.example.com", GHE_PROTOCOL: "http" }, "/srv/app");
    expect(loaded).toMatchObject({
      mode: "app",
      env: { appId: 12, port: 3000, githubApiUrl: "http://ghe.example.com/api/v3", dataDir: "/srv/app/.data", allowUnsandboxed: false, model: { name: "gpt-4.1" } },
    });
    expect(loadEnv(complete)).toMatchObject({ env: { githubApiUrl: "https://api.github.com" } });
  });

  it.each([
    [{ APP_ID: "12" }, /PRIVATE_KEY or PRIVATE_KEY_PATH[\s\S]*WEBHOOK_SECRET/],
    [{ ...complete, OPENAI_API_KEY: undefined }, /OPENAI_API_KEY or OPENAI_BASE_URL/],
    [{ ...complete, APP_ID: "twelve" }, /APP_ID/],
    [{ ...complete, PORT: "99999" }, /PORT/],
    [{ ...complete, OPENAI_BASE_URL: "not a url" }, /OPENAI_BASE_URL/],
    [{ ...complete, GHE_PROTOCOL: "ftp" }, /GHE_PROTOCOL/],
    [{ ...complete, PRIVATE_KEY: "hello" }, /PRIVATE_KEY: not a PEM/],
    [{ ...complete, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "/nonexistent/key.pem" }, /PRIVATE_KEY_PATH: cannot read/],
    [{ ...complete, PATCHWRIGHT_DATA_DIR: "/etc/patchwright" }, /PATCHWRIGHT_DATA_DIR: .* system directory/],
    [{ ...complete, PATCHWRIGHT_PRICES: "{bad" }, /PATCHWRIGHT_PRICES/],
  ])("fails fast naming the variable (%#)", (raw, message) => {
    expect(() => loadEnv(raw)).toThrow(message);
  });

  it("reads the key from PRIVATE_KEY_PATH and unescapes \\n in PRIVATE_KEY", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pw-env-"));
    writeFileSync(path.join(dir, "key.pem"), TEST_PRIVATE_KEY);
    const fromFile = loadEnv({ ...complete, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "key.pem" }, dir);
    expect(fromFile.mode === "app" && fromFile.env.privateKey).toBe(TEST_PRIVATE_KEY);
    const escaped = loadEnv({ ...complete, PRIVATE_KEY: TEST_PRIVATE_KEY.replace(/\n/g, "\\n") });
    expect(escaped.mode === "app" && escaped.env.privateKey).toBe(TEST_PRIVATE_KEY);
    rmSync(dir, { recursive: true, force: true });
  });

  it("hands host git only the path, proxy and CA variables of the environment", () => {
    const loaded = loadEnv({ ...complete, PATH: "/usr/bin", HTTPS_PROXY: "http://proxy.internal:3128", GIT_SSL_CAINFO: "/etc/ssl/corp.pem", GITHUB_TOKEN: "ghs_x", GIT_DIR: "/elsewhere" });
    expect(loaded.mode === "app" && loaded.env.gitPassthrough).toEqual({ PATH: "/usr/bin", HTTPS_PROXY: "http://proxy.internal:3128", GIT_SSL_CAINFO: "/etc/ssl/corp.pem" });
  });

  it("lists every secret for the redactor", () => {
    const loaded = loadEnv(complete);
    if (loaded.mode !== "app") throw new Error("expected app mode");
    expect(secretsOf(loaded.env)).toEqual(expect.arrayContaining([TEST_PRIVATE_KEY, "s3cret-value"]));
  });
});
