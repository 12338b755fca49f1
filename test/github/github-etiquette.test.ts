import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { GitHubOctokit } from "../../src/github/github-octokit.ts";
import type { Octokit } from "../../src/github/types.ts";
import { TEST_PRIVATE_KEY } from "../support/test-probot.ts";

/**
 * The Octokit the app runs on (`GitHubOctokit` through Probot, as
 * `start-app.ts` builds it, throttling and retries on) against nock: what is
 * retried and what is not. The waits are GitHub's own (`retry-after: 1`).
 */

const API = "https://api.github.com";

async function installationOctokit(): Promise<Octokit> {
  const probot = new Probot({ appId: 1, privateKey: TEST_PRIVATE_KEY, log: pino({ level: "silent" }), Octokit: GitHubOctokit });
  nock(API).post("/app/installations/42/access_tokens").reply(201, { token: "ghs_etiquettetoken00000000000000000000", expires_at: "2099-01-01T00:00:00Z" });
  return (await probot.auth(42)) as Octokit;
}

describe("GitHub etiquette", () => {
  it("waits out a secondary rate limit (403) for its retry-after, then succeeds", async () => {
    const octokit = await installationOctokit();
    let limitedAt = 0;
    nock(API)
      .get("/repos/o/r")
      .reply(() => ((limitedAt = Date.now()), [403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": "1" }]));
    let retriedAt = 0;
    nock(API)
      .get("/repos/o/r")
      .reply(() => ((retriedAt = Date.now()), [200, { full_name: "o/r" }]));
    const { data } = await octokit.rest.repos.get({ owner: "o", repo: "r" });
    expect(data.full_name).toBe("o/r");
    expect(retriedAt - limitedAt).toBeGreaterThanOrEqual(950);
  });

  it("waits out a 429 primary rate limit until x-ratelimit-reset", async () => {
    const octokit = await installationOctokit();
    let limitedAt = 0;
    nock(API)
      .get("/repos/o/r")
      .reply(() => {
        limitedAt = Date.now();
        return [429, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(limitedAt / 1000)) }];
      });
    let retriedAt = 0;
    nock(API)
      .get("/repos/o/r")
      .reply(() => ((retriedAt = Date.now()), [200, { full_name: "o/r" }]));
    await octokit.rest.repos.get({ owner: "o", repo: "r" });
    // Reset is this second: the plugin waits one second past it.
    expect(retriedAt - limitedAt).toBeGreaterThanOrEqual(0);
    expect(retriedAt).toBeGreaterThan(0);
  });

  it("retries a 502", async () => {
    const octokit = await installationOctokit();
    nock(API).get("/repos/o/r").reply(502, { message: "Bad Gateway" });
    nock(API).get("/repos/o/r").reply(200, { full_name: "o/r" });
    const { data } = await octokit.rest.repos.get({ owner: "o", repo: "r" });
    expect(data.full_name).toBe("o/r");
  });

  it("retries a request whose connection was reset", async () => {
    // A real socket closed mid-request (nock's simulated errors never settle under fetch).
    let requests = 0;
    const server = createServer((req, res) => {
      if (requests++ === 0) req.socket.destroy();
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ full_name: "o/r" }));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const octokit = new GitHubOctokit({ auth: { token: "ghs_etiquettetoken00000000000000000000" }, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      const { data } = await octokit.rest.repos.get({ owner: "o", repo: "r" });
      expect(data.full_name).toBe("o/r");
      expect(requests).toBe(2);
    } finally {
      server.close();
    }
  });

  it.each([
    [404, { message: "Not Found" }],
    [422, { message: "Validation Failed" }],
    [403, { message: "Resource not accessible by integration" }],
  ])("does not retry a %i", async (status, body) => {
    const octokit = await installationOctokit();
    let calls = 0;
    // A retry would find no mock and fail with another error.
    nock(API)
      .get("/repos/o/r")
      .reply(() => (calls++, [status, body]));
    await expect(octokit.rest.repos.get({ owner: "o", repo: "r" })).rejects.toMatchObject({ status });
    expect(calls).toBe(1);
  });
});
