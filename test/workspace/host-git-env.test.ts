import { describe, expect, it } from "vitest";
import { configureHostGit, gitHostEnvFrom } from "../../src/workspace/host-git-env.ts";
import { hostGitEnv, runGit } from "../../src/workspace/run-git.ts";

describe("the environment of host git", () => {
  it("passes only PATH, proxies and CA settings through, whatever the source holds", () => {
    const picked = gitHostEnvFrom({
      PATH: "/usr/bin:/bin",
      https_proxy: "http://proxy.example:3128",
      NO_PROXY: "localhost",
      GIT_SSL_CAINFO: "/etc/ssl/corp.pem",
      GITHUB_TOKEN: "ghs_secret",
      GIT_DIR: "/elsewhere",
      HOME: "/root",
      SHELL: undefined,
    });
    expect(picked).toEqual({ PATH: "/usr/bin:/bin", https_proxy: "http://proxy.example:3128", NO_PROXY: "localhost", GIT_SSL_CAINFO: "/etc/ssl/corp.pem" });
    expect(hostGitEnv(picked)).toEqual({
      ...picked,
      HOME: "/nonexistent",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_TERMINAL_PROMPT: "0",
      LANG: "C",
      LC_ALL: "C",
    });
  });

  it("gives git, until start-up configures it, the system's binaries and none of the worker's variables", () => {
    expect(hostGitEnv()).toEqual(hostGitEnv({ PATH: "/usr/local/bin:/usr/bin:/bin" }));
  });

  it("gives git what start-up configured, and nothing else", async () => {
    configureHostGit({ PATH: process.env["PATH"], https_proxy: "http://proxy.example:3128", GITHUB_TOKEN: "ghs_secret" });
    try {
      const shown = await runGit(["-c", "alias.show-env=!env", "show-env"]);
      expect(shown.exitCode).toBe(0);
      expect(shown.stdout).toMatch(/^https_proxy=http:\/\/proxy\.example:3128$/m);
      expect(shown.stdout).not.toContain("ghs_secret");
    } finally {
      configureHostGit(process.env);
    }
  });
});
