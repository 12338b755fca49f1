import examples from "@octokit/webhooks-examples" with { type: "json" };
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAlert, type AlertLike } from "../../src/advisories/parse-alert.ts";
import { createRedactor } from "../../src/security/redact.ts";
import { createApp } from "../../src/app.ts";
import { openSqliteQueue, type JobQueue } from "../../src/queue/sqlite-queue.ts";
import { createBackgroundTasks, type BackgroundTasks } from "../../src/webhooks/background-tasks.ts";
import { dependabotAlert } from "../support/payloads.ts";
import { createTestProbot } from "../support/test-probot.ts";
import { ADVISORIES } from "./fixtures.ts";

/**
 * The webhook side: real `dependabot_alert` payloads from
 * @octokit/webhooks-examples, adapted, through the app's handlers into the
 * real SQLite queue. The handler makes no GitHub call at all (nock refuses any).
 */

let dir: string;
let queue: JobQueue;
let tasks: BackgroundTasks;
let probot: Probot;
let acknowledged: number[];
let delivery = 0;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "pw-advisory-webhooks-"));
  queue = openSqliteQueue({ dataDir: dir });
  tasks = createBackgroundTasks(pino({ level: "silent" }));
  probot = createTestProbot();
  acknowledged = [];
  await probot.load(
    createApp({
      queue,
      tasks,
      redact: createRedactor([]),
      appId: 1,
      appLogin: async () => "patchwright[bot]",
      coalesceMs: 0,
      acknowledge: async (job) => void acknowledged.push(job.id),
      reportCancelled: async () => {},
    }),
  );
});

afterEach(async () => {
  await queue.close();
  rmSync(dir, { recursive: true, force: true });
});

async function receive(name: string, payload: Record<string, unknown>, id = `d-${++delivery}`) {
  await probot.receive({ id, name, payload } as never);
  await tasks.settled();
}

describe("parseAlert", () => {
  it("reads the example alert as GitHub sends it", async () => {
    const example = (examples as unknown as { name: string; examples: Record<string, unknown>[] }[]).find((d) => d.name === "dependabot_alert")!.examples.find((e) => e["action"] === "created")!;
    expect(parseAlert(example["alert"] as AlertLike)).toEqual({
      ok: true,
      trigger: {
        type: "advisory",
        alertNumber: 20,
        ghsaId: "GHSA-c2qf-rxjj-qqgw",
        cveId: "CVE-2022-25883",
        severity: "medium",
        summary: "semver vulnerable to Regular Expression Denial of Service",
        url: "https://github.com/wolfy1339/pika-pack/security/dependabot/20",
        ecosystem: "npm",
        package: "semver",
        vulnerableRanges: ["< 7.5.2"],
        firstPatched: "7.5.2",
        manifestPath: "package-lock.json",
        scope: "runtime",
      },
    });
  });

  it("keeps every range the advisory gives for the package", async () => {
    const parsed = parseAlert(dependabotAlert({ ...ADVISORIES.minimist, cveId: null, scope: null })["alert"] as AlertLike);
    expect(parsed).toMatchObject({ ok: true, trigger: { vulnerableRanges: ["< 0.2.4", ">= 1.0.0, < 1.2.6"], firstPatched: "0.2.4" } });
    expect(parsed.ok && "cveId" in parsed.trigger).toBe(false);
    expect(parsed.ok && "scope" in parsed.trigger).toBe(false);
  });
});

describe("dependabot_alert", () => {
  it.each(["created", "reopened", "reintroduced"] as const)("queues a bump-dependency job when an alert is %s, without writing to GitHub", async (action) => {
    await receive("dependabot_alert", dependabotAlert({ action, ...ADVISORIES.lodash }));
    const [job] = await queue.list();
    expect(job?.payload).toMatchObject({
      kind: "bump-dependency",
      installationId: 42,
      repo: { owner: "octo-org", name: "octo-repo", cloneUrl: "https://github.com/octo-org/octo-repo.git", defaultBranch: "main" },
      trigger: { type: "advisory", alertNumber: 12, ghsaId: "GHSA-35jh-r3h4-6jhm", ecosystem: "npm", package: "lodash", vulnerableRanges: ["< 4.17.21"], firstPatched: "4.17.21", manifestPath: "package-lock.json" },
    });
    expect(acknowledged).toEqual([]);
  });

  it.each(["dismissed", "fixed"] as const)("ignores an alert that was %s", async (action) => {
    await receive("dependabot_alert", dependabotAlert({ action, ...ADVISORIES.lodash }));
    expect(await queue.list()).toHaveLength(0);
  });

  it("keeps one live job per (repository, ecosystem, package), and a new one once it finished", async () => {
    await receive("dependabot_alert", dependabotAlert({ ...ADVISORIES.lodash }), "same");
    await receive("dependabot_alert", dependabotAlert({ ...ADVISORIES.lodash }), "same");
    await receive("dependabot_alert", dependabotAlert({ ...ADVISORIES.lodash, alertNumber: 13, ghsaId: "GHSA-29mw-wpgm-hmr9", vulnerabilities: [{ range: "< 4.17.21" }] }));
    await receive("dependabot_alert", dependabotAlert({ ...ADVISORIES.lodash, alertNumber: 14, manifestPath: "web/package-lock.json" }));
    expect(await queue.list()).toHaveLength(1);

    await receive("dependabot_alert", dependabotAlert({ ...ADVISORIES.minimist, alertNumber: 15 }));
    await receive("dependabot_alert", dependabotAlert({ ...ADVISORIES.lodash, name: "other-repo", alertNumber: 1 }));
    expect((await queue.list()).map((j) => j.payload.trigger.type === "advisory" && `${j.payload.repo.name}:${j.payload.trigger.package}`)).toEqual([
      "octo-repo:lodash",
      "octo-repo:minimist",
      "other-repo:lodash",
    ]);

    // The lodash job runs to its end; the alert is reintroduced later: a new job.
    const running = (await queue.lease("worker", 60_000))!;
    await queue.finish(running.id, "worker", "succeeded", "https://github.com/octo-org/octo-repo/pull/3");
    await receive("dependabot_alert", dependabotAlert({ action: "reintroduced", ...ADVISORIES.lodash }));
    await receive("dependabot_alert", dependabotAlert({ action: "reopened", ...ADVISORIES.lodash }));
    expect((await queue.list()).filter((j) => j.payload.trigger.type === "advisory" && j.payload.trigger.package === "lodash" && j.payload.repo.name === "octo-repo").map((j) => j.state)).toEqual(["succeeded", "queued"]);
  });

  it("queues a new job each time the last one ended, however it ended, and never two live ones", async () => {
    const lodash = async () => (await queue.list()).filter((j) => j.payload.trigger.type === "advisory" && j.payload.trigger.package === "lodash");
    for (const end of ["succeeded", "failed", "skipped"] as const) {
      await receive("dependabot_alert", dependabotAlert({ action: "reopened", ...ADVISORIES.lodash }));
      await receive("dependabot_alert", dependabotAlert({ action: "reintroduced", ...ADVISORIES.lodash }));
      const job = (await queue.lease("worker", 60_000))!;
      await receive("dependabot_alert", dependabotAlert({ action: "reopened", ...ADVISORIES.lodash }));
      await queue.finish(job.id, "worker", end, end);
    }
    await receive("dependabot_alert", dependabotAlert({ ...ADVISORIES.lodash }));
    const [waiting] = await queue.live();
    await queue.requestCancel([waiting!.id], "maintainer");
    await receive("dependabot_alert", dependabotAlert({ action: "reopened", ...ADVISORIES.lodash }));
    expect((await lodash()).map((j) => j.state)).toEqual(["succeeded", "failed", "skipped", "cancelled", "queued"]);
  });

  it("queues other ecosystems too: the worker answers them with 'not supported yet'", async () => {
    await receive("dependabot_alert", dependabotAlert({ ...ADVISORIES.lodash, ecosystem: "pip", packageName: "django", manifestPath: "requirements.txt" }));
    expect((await queue.list())[0]?.payload.trigger).toMatchObject({ ecosystem: "pip", package: "django", manifestPath: "requirements.txt" });
  });
});

describe("repository_vulnerability_alert", () => {
  it("is deprecated: logged, never a job", async () => {
    const example = (examples as unknown as { name: string; examples: Record<string, unknown>[] }[]).find((d) => d.name === "repository_vulnerability_alert")!.examples[0]!;
    await receive("repository_vulnerability_alert", { ...structuredClone(example), installation: { id: 42 } });
    expect(await queue.list()).toHaveLength(0);
  });
});
