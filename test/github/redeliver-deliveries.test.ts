import { createPublicKey, verify } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { nextCursor } from "../../src/github/list-hook-deliveries.ts";
import { redeliverMissedDeliveries, startRedeliveryLoop, type RedeliverDeps, type Schedule } from "../../src/github/redeliver-deliveries.ts";
import type { Octokit } from "../../src/github/types.ts";
import { createTestProbot, TEST_PRIVATE_KEY } from "../support/test-probot.ts";

/**
 * The app's webhook deliveries against a strict nock of GitHub's REST API:
 * the app's JWT is verified (RS256, signed with the app's key, `iss` the app
 * id, not expired), pages follow GitHub's `Link` header with a `cursor`, and
 * errors carry GitHub's `{ message, documentation_url }`.
 */

const API = "https://api.github.com";
const NOW = Date.parse("2025-06-02T12:00:00Z");
const HOUR = 3_600_000;
const PUBLIC_KEY = createPublicKey(TEST_PRIVATE_KEY);
const DOCS = "https://docs.github.com/rest/apps/webhooks";

interface Item {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
  throttled_at: string | null;
}

let nextId = 9_000_000;
/** One attempt, `minutesAgo` before NOW; `status_code` 0 is GitHub's "no answer" (timed out, refused). */
function attempt(guid: string, minutesAgo: number, statusCode: number, redelivery = false): Item {
  return {
    id: nextId++,
    guid,
    delivered_at: new Date(NOW - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    redelivery,
    duration: 0.31,
    status: statusCode === 0 ? "timed out" : statusCode < 300 ? "OK" : `Invalid HTTP Response: ${statusCode}`,
    status_code: statusCode,
    event: "workflow_run",
    action: "completed",
    installation_id: 42,
    repository_id: 7,
    throttled_at: null,
  };
}

/** Newest first, as GitHub lists them. */
const newestFirst = (items: Item[]) => [...items].sort((a, b) => Date.parse(b.delivered_at) - Date.parse(a.delivered_at) || b.id - a.id);

/** Whether `authorization` carries a JWT this app signed, as GitHub checks it for `/app/*`. */
function isAppJwt(authorization: string): boolean {
  const m = /^bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(authorization);
  if (!m) return false;
  const [, header, payload, signature] = m as unknown as [string, string, string, string];
  const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>;
  const signed = verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), PUBLIC_KEY, Buffer.from(signature, "base64url"));
  const claims = decode(payload);
  return signed && decode(header)["alg"] === "RS256" && String(claims["iss"]) === "1" && typeof claims["exp"] === "number" && claims["exp"] * 1000 > Date.now();
}

interface Seen {
  cursors: (string | null)[];
  authorizations: string[];
  redelivered: number[];
}

type Reply = readonly [number, Record<string, unknown> | unknown[], Record<string, string>?];

/** GitHub's gate in front of every `/app` route: a valid app JWT and a JSON `accept`, or 401/415 as GitHub answers. */
function gate(request: Request, seen: Seen): Reply | null {
  const authorization = request.headers.get("authorization") ?? "";
  seen.authorizations.push(authorization);
  if (!isAppJwt(authorization)) return [401, { message: "A JSON web token could not be decoded", documentation_url: DOCS, status: "401" }];
  if (!/application\/(vnd\.github(\.v3)?\+)?json/.test(request.headers.get("accept") ?? "")) return [415, { message: "Unsupported 'Accept' header", documentation_url: DOCS, status: "415" }];
  return null;
}

/**
 * `GET /app/hook/deliveries`, answered `pages` times from `items`: `per_page`
 * items after the `cursor`, with a `Link` to the next page when there is one.
 */
function listing(items: Item[], seen: Seen, pages = 1): void {
  const all = newestFirst(items);
  nock(API)
    .get("/app/hook/deliveries")
    .query(true)
    .times(pages)
    .reply((request: Request): Reply => {
      const denied = gate(request, seen);
      if (denied) return denied;
      const query = new URL(request.url).searchParams;
      const perPage = Number(query.get("per_page") ?? 30);
      if (!(perPage >= 1 && perPage <= 100)) return [422, { message: "Validation Failed", documentation_url: DOCS, status: "422" }];
      const cursor = query.get("cursor");
      seen.cursors.push(cursor);
      const start = cursor === null ? 0 : all.findIndex((i) => `v1_${i.id}` === cursor) + 1;
      if (start === 0 && cursor !== null) return [400, { message: "Invalid cursor", documentation_url: DOCS, status: "400" }];
      const page = all.slice(start, start + perPage);
      const links = [];
      const last = page.at(-1);
      if (last && start + perPage < all.length) links.push(`<${API}/app/hook/deliveries?per_page=${perPage}&cursor=v1_${last.id}>; rel="next"`);
      if (start > 0) links.push(`<${API}/app/hook/deliveries?per_page=${perPage}>; rel="first"`);
      return [200, page, links.length > 0 ? { link: links.join(", ") } : {}];
    });
}

/** `POST /app/hook/deliveries/{id}/attempts`: 202 `{}` for an id GitHub knows, else GitHub's 422; or a given failure. */
function redelivery(id: number, seen: Seen, known: Set<number>, failure?: Reply): void {
  nock(API)
    .post(`/app/hook/deliveries/${id}/attempts`)
    .reply((request: Request): Reply => {
      const denied = gate(request, seen);
      if (denied) return denied;
      seen.redelivered.push(id);
      if (failure) return failure;
      if (!known.has(id)) return [422, { message: "Validation Failed", errors: [{ resource: "HookDelivery", code: "invalid", field: "id" }], documentation_url: DOCS, status: "422" }];
      return [202, {}];
    });
}

/** A pino writing into an array, so that tests read what an operator would. */
function recordingLog() {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }) };
}

async function setup(items: Item[], recorded: string[] = []) {
  const octokit = (await createTestProbot().auth()) as Octokit;
  const seen: Seen = { cursors: [], authorizations: [], redelivered: [] };
  const known = new Set(items.map((i) => i.id));
  const storeAsked: string[] = [];
  const { lines, log } = recordingLog();
  const deps: RedeliverDeps = {
    octokit,
    since: NOW - HOUR,
    alreadyAsked: new Set(),
    log,
    wasProcessed: async (guid) => (storeAsked.push(guid), recorded.includes(guid)),
  };
  return { deps, seen, known, lines, storeAsked };
}

describe("redeliverMissedDeliveries", () => {
  it("redelivers the newest attempt of each event that no attempt delivered and the store never recorded", async () => {
    const failedOnce = attempt("g-failed-once", 50, 502);
    const failedTwice = [attempt("g-failed-twice", 40, 503), attempt("g-failed-twice", 30, 0, true)];
    const items = [
      failedOnce,
      ...failedTwice,
      attempt("g-failed-then-delivered", 45, 500),
      attempt("g-failed-then-delivered", 35, 200, true),
      attempt("g-recorded", 20, 0),
      attempt("g-delivered", 10, 200),
      attempt("g-redirected", 5, 302),
    ];
    const { deps, seen, known, lines, storeAsked } = await setup(items, ["g-recorded"]);
    listing(items, seen);
    for (const id of [failedOnce.id, failedTwice[1]!.id, items.at(-1)!.id]) redelivery(id, seen, known);

    const pass = await redeliverMissedDeliveries(deps);

    expect(pass).toEqual({
      listed: 8,
      failed: 4,
      redelivered: ["g-failed-once", "g-failed-twice", "g-redirected"],
      skipped: [{ guid: "g-recorded", reason: "recorded" }],
    });
    // The redelivery of an event that failed twice is of its newest attempt.
    expect(seen.redelivered).toEqual([failedOnce.id, failedTwice[1]!.id, items.at(-1)!.id]);
    // The store is asked only about events GitHub shows undelivered.
    expect(storeAsked.sort()).toEqual(["g-failed-once", "g-failed-twice", "g-recorded", "g-redirected"]);
    expect([...deps.alreadyAsked].sort()).toEqual(["g-failed-once", "g-failed-twice", "g-redirected"]);
    // Every request was the app's, and its JWT is nowhere in the logs.
    expect(seen.authorizations.every(isAppJwt)).toBe(true);
    const logged = JSON.stringify(lines);
    for (const authorization of seen.authorizations) expect(logged).not.toContain(authorization.split(" ")[1]);
    expect(lines.filter((l) => l["msg"] === "missed webhook delivery redelivered").map((l) => l["deliveryId"])).toEqual(seen.redelivered);
  });

  it("follows GitHub's Link cursor and stops at the first page that reaches back past `since`", async () => {
    // 100 delivered events fill the first page; the second holds a missed event in the window,
    // one before `since`, and a third page exists that must not be asked for.
    const delivered = Array.from({ length: 100 }, (_, i) => attempt(`g-ok-${i}`, 1 + i * 0.5, 200));
    const inWindow = attempt("g-missed-in-window", 55, 500);
    const beforeSince = attempt("g-missed-before-since", 65, 500);
    const older = Array.from({ length: 150 }, (_, i) => attempt(`g-old-${i}`, 70 + i, 500));
    const items = [...delivered, inWindow, beforeSince, ...older];
    const { deps, seen, known, lines } = await setup(items);
    listing(items, seen, 2);
    redelivery(inWindow.id, seen, known);

    const pass = await redeliverMissedDeliveries(deps);

    expect(seen.cursors).toEqual([null, `v1_${delivered.at(-1)!.id}`]);
    // A request for a third page would have matched nothing here, and been logged.
    expect(lines.some((l) => l["msg"] === "could not list the app's webhook deliveries")).toBe(false);
    expect(pass.listed).toBe(200);
    expect(pass.redelivered).toEqual(["g-missed-in-window"]);
    expect(pass.failed).toBe(1);
  });

  it("stops at the page cap and says so", async () => {
    const items = Array.from({ length: 250 }, (_, i) => attempt(`g-${i}`, i * 0.1, 200));
    const { deps, seen, lines } = await setup(items);
    listing(items, seen, 2);

    const pass = await redeliverMissedDeliveries({ ...deps, maxPages: 2 });

    expect(seen.cursors).toHaveLength(2);
    expect(pass).toMatchObject({ listed: 200, failed: 0, redelivered: [] });
    expect(lines.find((l) => l["msg"] === "webhook deliveries: page limit reached; older deliveries were not checked")).toMatchObject({ pages: 2 });
  });

  it("never asks twice for one event, across passes", async () => {
    const missed = attempt("g-missed", 30, 503);
    const { deps, seen, known } = await setup([missed]);
    listing([missed], seen, 2); // GitHub has not made the redelivery yet when the second pass lists
    redelivery(missed.id, seen, known);

    const first = await redeliverMissedDeliveries(deps);
    const second = await redeliverMissedDeliveries(deps);

    expect(first.redelivered).toEqual(["g-missed"]);
    expect(second).toEqual({ listed: 1, failed: 1, redelivered: [], skipped: [{ guid: "g-missed", reason: "already_asked" }] });
    expect(seen.redelivered).toEqual([missed.id]);
  });

  it("leaves alone an event GitHub shows redelivered three times, and asks for one redelivered twice", async () => {
    const stubborn = [attempt("g-stubborn", 50, 500), ...[40, 30, 20].map((m) => attempt("g-stubborn", m, 500, true))];
    const twice = [attempt("g-twice", 45, 500), attempt("g-twice", 35, 0, true), attempt("g-twice", 25, 502, true)];
    const items = [...stubborn, ...twice];
    const { deps, seen, known, storeAsked } = await setup(items);
    listing(items, seen);
    redelivery(twice[2]!.id, seen, known);

    const pass = await redeliverMissedDeliveries(deps);

    expect(pass.redelivered).toEqual(["g-twice"]);
    expect(pass.skipped).toEqual([{ guid: "g-stubborn", reason: "redelivered_enough" }]);
    expect(storeAsked).toEqual(["g-twice"]);
  });

  it("logs a 422 and a 500 with GitHub's message and goes on; a refusal is final, a failure is asked again next pass", async () => {
    const refused = attempt("g-refused", 50, 500);
    const failing = attempt("g-failing", 40, 500);
    const fine = attempt("g-fine", 30, 500);
    const items = [refused, failing, fine];
    const { deps, seen, known, lines } = await setup(items);
    known.delete(refused.id); // GitHub no longer has it
    listing(items, seen, 2);
    redelivery(refused.id, seen, known);
    redelivery(failing.id, seen, known, [500, { message: "Server Error", documentation_url: DOCS, status: "500" }]);
    redelivery(fine.id, seen, known);

    const first = await redeliverMissedDeliveries(deps);

    expect(first.redelivered).toEqual(["g-fine"]);
    expect(first.skipped).toEqual([
      { guid: "g-refused", reason: "refused" },
      { guid: "g-failing", reason: "request_failed" },
    ]);
    const warnings = lines.filter((l) => l["msg"] === "GitHub did not redeliver a missed webhook delivery");
    expect(warnings.map((w) => [w["guid"], w["status"], w["message"], w["documentationUrl"]])).toEqual([
      ["g-refused", 422, "Validation Failed", DOCS],
      ["g-failing", 500, "Server Error", DOCS],
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/bearer|authorization/i);

    redelivery(failing.id, seen, known);
    const second = await redeliverMissedDeliveries(deps);
    expect(second.redelivered).toEqual(["g-failing"]);
    expect(seen.redelivered).toEqual([refused.id, failing.id, fine.id, failing.id]);
  });

  it("ends the pass after three failed requests in a row", async () => {
    const items = [1, 2, 3, 4].map((n) => attempt(`g-${n}`, 50 - n, 500));
    const { deps, seen, known } = await setup(items);
    listing(items, seen);
    for (const item of items.slice(0, 3)) redelivery(item.id, seen, known, [502, { message: "Bad Gateway", documentation_url: DOCS }]);

    const pass = await redeliverMissedDeliveries(deps);

    expect(pass.skipped.map((s) => s.reason)).toEqual(["request_failed", "request_failed", "request_failed", "pass_ended"]);
    expect(seen.redelivered).toHaveLength(3);
  });

  it("asks for no more than maxRedeliveries in a pass, oldest first", async () => {
    const items = [1, 2, 3].map((n) => attempt(`g-${n}`, 10 * n, 0));
    const { deps, seen, known } = await setup(items);
    listing(items, seen);
    for (const item of items.slice(1)) redelivery(item.id, seen, known);

    const pass = await redeliverMissedDeliveries({ ...deps, maxRedeliveries: 2 });

    expect(pass.redelivered).toEqual(["g-3", "g-2"]);
    expect(pass.skipped).toEqual([{ guid: "g-1", reason: "pass_limit" }]);
  });

  it("logs a failed listing with GitHub's message and ends the pass cleanly", async () => {
    const { deps, seen, lines } = await setup([]);
    nock(API)
      .get("/app/hook/deliveries")
      .query({ per_page: "100" })
      .reply((request: Request): Reply => gate(request, seen) ?? [500, { message: "Server Error", documentation_url: DOCS }]);

    const pass = await redeliverMissedDeliveries(deps);

    expect(pass).toEqual({ listed: 0, failed: 0, redelivered: [], skipped: [] });
    expect(lines.find((l) => l["msg"] === "could not list the app's webhook deliveries")).toMatchObject({ status: 500, message: "Server Error", pagesListed: 0 });
  });

  it("is refused anything but the app's JWT, and logs GitHub's answer without the credential", async () => {
    const token = "ghs_installationtoken0000000000000000000";
    const { deps, seen, lines } = await setup([]);
    listing([attempt("g-missed", 5, 500)], seen);
    const installation = new ProbotOctokit({ auth: { token }, throttle: { enabled: false }, retry: { enabled: false } }) as unknown as Octokit;

    const pass = await redeliverMissedDeliveries({ ...deps, octokit: installation });

    expect(pass.listed).toBe(0);
    expect(seen.authorizations).toEqual([`token ${token}`]);
    expect(lines.find((l) => l["msg"] === "could not list the app's webhook deliveries")).toMatchObject({ status: 401, message: "A JSON web token could not be decoded" });
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it("judges the pages listed before a page failed", async () => {
    const items = [attempt("g-missed", 1, 0), ...Array.from({ length: 120 }, (_, i) => attempt(`g-${i}`, 2 + i * 0.1, 200))];
    const { deps, seen, known, lines } = await setup(items);
    listing(items, seen, 1);
    nock(API).get("/app/hook/deliveries").query(true).reply(502, { message: "Bad Gateway" });
    redelivery(items[0]!.id, seen, known);

    const pass = await redeliverMissedDeliveries(deps);

    expect(pass.redelivered).toEqual(["g-missed"]);
    expect(lines.find((l) => l["msg"] === "could not list the app's webhook deliveries")).toMatchObject({ status: 502, pagesListed: 1 });
  });

  it("asks GitHub for nothing when the store cannot answer", async () => {
    const items = [attempt("g-a", 30, 500), attempt("g-b", 20, 500)];
    const { deps, seen, lines } = await setup(items);
    listing(items, seen);

    const pass = await redeliverMissedDeliveries({ ...deps, wasProcessed: async () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379")) });

    expect(pass.redelivered).toEqual([]);
    expect(pass.skipped.map((s) => s.reason)).toEqual(["pass_ended", "pass_ended"]);
    expect(lines.filter((l) => l["msg"] === "the store could not say whether a webhook delivery was handled; redelivery pass ended")).toHaveLength(1);
  });
});

describe("nextCursor", () => {
  it.each([
    [`<${API}/app/hook/deliveries?per_page=100&cursor=v1_42>; rel="next"`, "v1_42"],
    [`<${API}/app/hook/deliveries?per_page=100>; rel="first", <${API}/app/hook/deliveries?cursor=v1_7&per_page=100>; rel="next"`, "v1_7"],
    [`<${API}/app/hook/deliveries?per_page=100&cursor=v1_1>; rel="prev"`, undefined],
    [`<${API}/app/hook/deliveries?per_page=100>; rel="next"`, undefined],
    [undefined, undefined],
  ])("%s → %s", (link, cursor) => {
    expect(nextCursor(link)).toBe(cursor);
  });
});

/** A schedule the test fires by hand: no timers, no waiting. */
function manualSchedule() {
  const pending: { run: () => void; delayMs: number; cancelled: boolean }[] = [];
  let onScheduled: () => void = () => undefined;
  const schedule: Schedule = (run, delayMs) => {
    const entry = { run, delayMs, cancelled: false };
    pending.push(entry);
    onScheduled();
    return () => void (entry.cancelled = true);
  };
  const next = () => new Promise<void>((resolve) => (onScheduled = resolve));
  return { schedule, pending, next };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("startRedeliveryLoop", () => {
  it("runs a pass at once, then every intervalMs after the last ended, looking back lookbackMs; a failed pass is only logged", async () => {
    const missed = attempt("g-missed", 90, 500);
    const { deps, seen, known, lines } = await setup([missed]);
    nock(API).get("/app/hook/deliveries").query(true).reply(500, { message: "Server Error", documentation_url: DOCS });
    const { schedule, pending, next } = manualSchedule();
    let now = NOW - HOUR; // the first pass runs an hour before NOW
    const firstScheduled = next();

    const loop = startRedeliveryLoop({ ...deps, intervalMs: 300_000, lookbackMs: 2 * HOUR, now: () => now, schedule });
    await firstScheduled;

    expect(lines.find((l) => l["msg"] === "could not list the app's webhook deliveries")).toMatchObject({ status: 500 });
    expect(pending.map((p) => p.delayMs)).toEqual([300_000]);

    // The second pass, at NOW: the event 90 minutes old is inside a two-hour look-back.
    now = NOW;
    listing([missed], seen);
    redelivery(missed.id, seen, known);
    const secondScheduled = next();
    pending[0]!.run();
    await secondScheduled;
    expect(seen.redelivered).toEqual([missed.id]);

    await loop.stop();
    expect(pending).toHaveLength(2);
    expect(pending[1]!.cancelled).toBe(true);
  });

  it("stop() waits for the running pass, which asks GitHub for nothing more", async () => {
    const items = [attempt("g-a", 30, 500), attempt("g-b", 20, 500)];
    const { deps, seen, lines } = await setup(items);
    listing(items, seen);
    const storeAsked: string[] = [];
    const storeCalled = deferred<string>();
    const storeAnswer = deferred<boolean>();
    const { schedule, pending } = manualSchedule();

    const loop = startRedeliveryLoop({
      ...deps,
      wasProcessed: (guid) => (storeAsked.push(guid), storeCalled.resolve(guid), storeAnswer.promise),
      intervalMs: 300_000,
      lookbackMs: 2 * HOUR,
      now: () => NOW,
      schedule,
    });
    expect(await storeCalled.promise).toBe("g-a"); // the pass at start, held in the store

    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);

    storeAnswer.resolve(false);
    await stopping;
    // No redelivery was asked once stopping (no POST interceptor exists; one would have been logged as failed).
    expect(seen.redelivered).toEqual([]);
    expect(storeAsked).toEqual(["g-a"]);
    expect(lines.some((l) => l["msg"] === "GitHub did not redeliver a missed webhook delivery")).toBe(false);
    expect(pending).toEqual([]);
  });
});
