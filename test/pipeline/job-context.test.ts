import { runningJob } from "../support/payloads.ts";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { RepoGitHub } from "../../src/github/repo-github.ts";
import { createJobContext, TOKEN_EXPIRY_MARGIN_MS, TOKEN_MAX_AGE_MS } from "../../src/pipeline/job-context.ts";
import type { Origin } from "../../src/pipeline/origins/origin.ts";
import type { PipelineDeps } from "../../src/pipeline/pipeline-deps.ts";
import type { JobRecord } from "../../src/queue/job.ts";

/** The job's token against an injected clock: minted once, minted again before it runs out. */

const MINUTE = 60_000;

function context(mint: PipelineDeps["mintToken"], clock: { now: number }) {
  const job: JobRecord = runningJob({
    version: 1,
    kind: "fix-ci",
    installationId: 42,
    deliveryId: "d",
    repo: { owner: "o", name: "calc", cloneUrl: "https://github.com/o/calc.git", defaultBranch: "main" },
    trigger: { type: "ci", headSha: "a".repeat(40), headBranch: "main", sources: [{ type: "status", context: "ci", description: "", targetUrl: null }] },
  });
  const deps = { now: () => clock.now, mintToken: mint, ledger: () => {} } as unknown as PipelineDeps;
  return createJobContext({ job, deps, signal: new AbortController().signal, github: {} as RepoGitHub, origin: {} as Origin, log: pino({ level: "silent" }) });
}

describe("the job's token", () => {
  it("is minted once while fresh, and again when it is 50 minutes old", async () => {
    const clock = { now: 1_000_000 };
    let minted = 0;
    const ctx = context(async () => `ghs_token${++minted}`, clock);
    expect(await ctx.token()).toBe("ghs_token1");
    clock.now += TOKEN_MAX_AGE_MS - MINUTE;
    expect(await ctx.token()).toBe("ghs_token1");
    clock.now += MINUTE;
    expect(await ctx.token()).toBe("ghs_token2");
    expect(await ctx.token()).toBe("ghs_token2");
    expect(minted).toBe(2);
  });

  it("is minted again within five minutes of its expires_at, however young", async () => {
    const clock = { now: 1_000_000 };
    let minted = 0;
    // A token that lives 20 minutes (clock skew, or a token GitHub minted earlier).
    const ctx = context(async () => ({ token: `ghs_token${++minted}`, expiresAt: clock.now + 20 * MINUTE }), clock);
    expect(await ctx.token()).toBe("ghs_token1");
    clock.now += 20 * MINUTE - TOKEN_EXPIRY_MARGIN_MS - 1;
    expect(await ctx.token()).toBe("ghs_token1");
    clock.now += 1;
    expect(await ctx.token()).toBe("ghs_token2");
  });

  it("shares one mint between concurrent callers, and mints again after a failure", async () => {
    const clock = { now: 0 };
    let minted = 0;
    const ctx = context(async () => {
      minted++;
      if (minted === 1) throw new Error("GitHub is down");
      return { token: `ghs_token${minted}`, expiresAt: clock.now + 60 * MINUTE };
    }, clock);
    const both = await Promise.allSettled([ctx.token(), ctx.token()]);
    expect(both.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(minted).toBe(1);
    expect(await ctx.token()).toBe("ghs_token2");
  });
});
