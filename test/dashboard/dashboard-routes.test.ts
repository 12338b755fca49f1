import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LEAKED_SECRET, OPERATOR_TOKEN, startDashboard, type Dashboard } from "./dashboard-fixture.ts";

let dashboard: Dashboard;
beforeEach(async () => {
  dashboard = await startDashboard();
});
afterEach(async () => {
  await dashboard.close();
});

const BEARER = { authorization: `Bearer ${OPERATOR_TOKEN}` };

async function call(path: string, init: { method?: string; headers?: Record<string, string>; form?: Record<string, string> } = {}) {
  const res = await fetch(`${dashboard.url}${path}`, {
    method: init.method ?? (init.form ? "POST" : "GET"),
    redirect: "manual",
    headers: { ...(init.form ? { "content-type": "application/x-www-form-urlencoded" } : {}), ...init.headers },
    ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** Signs in through the form; returns the cookie header to send and the page's CSRF token. */
async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const login = await call("/patchwright/login", { form: { token: OPERATOR_TOKEN, next: "/patchwright/jobs" }, headers: { origin: dashboard.url } });
  expect(login.status).toBe(303);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const page = await call(`/patchwright/jobs/${dashboard.ids.queued}`, { headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
  expect(csrf).not.toBe("");
  return { cookie, csrf };
}

const stateOf = async (id: number) => (await dashboard.queue.get(id))?.state;

describe("dashboard: sign-in", () => {
  it("sends a browser without a session to the login form, and refuses a POST without credentials", async () => {
    const page = await call("/patchwright/jobs?state=queued");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/patchwright/login?next=%2Fpatchwright%2Fjobs%3Fstate%3Dqueued");
    const stop = await call(`/patchwright/jobs/${dashboard.ids.queued}/stop`, { form: {}, headers: { origin: dashboard.url } });
    expect(stop.status).toBe(401);
    expect(await stateOf(dashboard.ids.queued)).toBe("queued");
  });

  it("refuses a wrong bearer token and a wrong password, and never echoes either", async () => {
    const bearer = await call("/patchwright/jobs", { headers: { authorization: "Bearer not-the-token" } });
    expect(bearer.status).toBe(401);
    const login = await call("/patchwright/login", { form: { token: "guess-123", next: "/patchwright/jobs" }, headers: { origin: dashboard.url } });
    expect(login.status).toBe(401);
    expect(login.headers.get("set-cookie")).toBeNull();
    expect(login.body).toContain("That is not the operator token.");
    expect(login.body).not.toContain("guess-123");
  });

  it("lets the right bearer token in", async () => {
    const page = await call("/patchwright/jobs", { headers: BEARER });
    expect(page.status).toBe(200);
    expect(page.body).toContain(`href="/patchwright/jobs/${dashboard.ids.queued}"`);
  });

  it("leaves another Authorization scheme (a proxy's Basic) to the session cookie", async () => {
    const { cookie } = await signIn();
    const page = await call("/patchwright/jobs", { headers: { cookie, authorization: "Basic b3BzOnNlY3JldA==" } });
    expect(page.status).toBe(200);
    expect((await call("/patchwright/jobs", { headers: { authorization: "Basic b3BzOnNlY3JldA==" } })).status).toBe(303);
  });

  it("signs in by the form with a session cookie that does not hold the token, and goes to `next` only within the dashboard", async () => {
    const login = await call("/patchwright/login", { form: { token: OPERATOR_TOKEN, next: "/patchwright/jobs?kind=explain" }, headers: { origin: dashboard.url } });
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/patchwright/jobs?kind=explain");
    const setCookie = login.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^patchwright_session=[\w.-]+; HttpOnly; SameSite=Strict; Path=\/patchwright; Max-Age=43200$/);
    expect(setCookie).not.toContain(OPERATOR_TOKEN);
    const cookie = setCookie.split(";")[0] ?? "";
    expect((await call("/patchwright/jobs", { headers: { cookie } })).status).toBe(200);

    const offsite = await call("/patchwright/login", { form: { token: OPERATOR_TOKEN, next: "//evil.example/patchwright" }, headers: { origin: dashboard.url } });
    expect(offsite.headers.get("location")).toBe("/patchwright/jobs");
  });

  it("ends a session after 12 hours, and a forged cookie gets nothing", async () => {
    const { cookie } = await signIn();
    dashboard.clock.now += 12 * 3_600_000 + 1;
    const expired = await call("/patchwright/jobs", { headers: { cookie } });
    expect(expired.status).toBe(303);
    expect(expired.headers.get("set-cookie")).toContain("Max-Age=0");
    const [issued, nonce] = cookie.replace("patchwright_session=", "").split(".");
    const forged = await call("/patchwright/jobs", { headers: { cookie: `patchwright_session=${issued}.${nonce}.${"A".repeat(43)}` } });
    expect(forged.status).toBe(303);
  });

  it("answers 404 with what to set when no operator token is configured, and leaves other paths alone", async () => {
    await dashboard.close();
    dashboard = await startDashboard({ operatorToken: undefined });
    const page = await call("/patchwright/jobs", { headers: BEARER });
    expect(page.status).toBe(404);
    expect(page.body).toBe("The dashboard is off: set PATCHWRIGHT_OPERATOR_TOKEN to turn it on.\n");
    expect((await call("/patchwrightx")).status).toBe(418);
    expect((await call("/healthz")).status).toBe(418);
  });
});

describe("dashboard: pages", () => {
  it("sends the security headers with every answer, pages and refusals alike", async () => {
    for (const res of [await call("/patchwright/jobs", { headers: BEARER }), await call("/patchwright/login"), await call("/patchwright/jobs"), await call("/patchwright/nope", { headers: BEARER })]) {
      expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cache-control")).toBe("no-store");
      // Same-origin, not no-referrer: with no-referrer, browsers send `Origin: null` on the dashboard's own forms.
      expect(res.headers.get("referrer-policy")).toBe("same-origin");
    }
  });

  it.each([
    ["", ["queued", "running", "failed", "succeeded"]],
    ["?state=queued", ["queued"]],
    ["?kind=bump-dependency", ["running"]],
    ["?repo=O/Web", ["queued", "succeeded"]],
    ["?repo=o/web&state=succeeded", ["succeeded"]],
    ["?limit=2", ["queued", "running"]],
  ] as const)("lists jobs newest first, filtered by %j", async (query, expected) => {
    const page = await call(`/patchwright/jobs${query}`, { headers: BEARER });
    expect(page.status).toBe(200);
    const rows = [...page.body.matchAll(/<tr data-job="(\d+)">/g)].map((m) => Number(m[1]));
    expect(rows).toEqual(expected.map((name) => dashboard.ids[name]));
  });

  it("says when the limit hides jobs, and refuses a filter it does not know", async () => {
    expect((await call("/patchwright/jobs?limit=2", { headers: BEARER })).body).toContain("Showing the newest 2 of 4 matching jobs");
    const bad = await call("/patchwright/jobs?state=exploded", { headers: BEARER });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain("Unknown state: use one of queued, running, succeeded, failed, skipped, cancelled.");
  });

  it("renders a job's timeline, diagnosis, candidates, diff, trace, cost and audit", async () => {
    const page = await call(`/patchwright/jobs/${dashboard.ids.queued}`, { headers: BEARER });
    expect(page.status).toBe(200);
    for (const section of ["timeline", "diagnosis", "cost", "candidates", "diff", "trace", "audit", "ledger"]) expect(page.body).toContain(`<h2 id="${section}">`);
    expect(page.body).toContain("red: Reproduced: &#96;npm test&#96; fails here too (exit 1).");
    // Each stage's time, speculative work marked as overlapping the stage shown.
    expect(page.body).toContain("Opening a workspace: 0.21 s, alongside");
    expect(page.body).toContain("Gathering evidence: 1.84 s<");
    expect(page.body).toContain("sum() subtracts instead of adding");
    expect(page.body).toContain("test tampering: test/sum.test.js changed an expectation");
    expect(page.body).toContain('<span class="add">+export const sum = (a, b) =&gt; a + b;</span>');
    expect(page.body).toContain("26,670 (25,380 prompt, 1,290 completion, of which 120 reasoning)");
    expect(page.body).toContain("3f6c9e10-2b7d-11f0-9d1a-5a1b2c3d4e5f");
    expect(page.body).toContain("git push origin HEAD");
    expect(page.body).toContain("fixer2, turn 1: run_command refused: the command policy refused");
    expect(page.body).toMatch(/<td class="mono">npm test<\/td><td class="num">1<\/td>/);
  });

  it("escapes every piece of repository text and redacts secrets: the page holds no markup of theirs", async () => {
    const page = await call(`/patchwright/jobs/${dashboard.ids.queued}`, { headers: BEARER });
    expect(page.body).not.toMatch(/<script/i);
    expect(page.body).not.toMatch(/<img/i);
    expect(page.body).not.toContain("<b>bold</b>");
    expect(page.body).toContain("+// &lt;script&gt;document.title=&quot;pwned&quot;;globalThis.pwned=1&lt;/script&gt;");
    expect(page.body).toContain("feature/x&quot;&gt;&lt;img src=x onerror=&quot;globalThis.pwned=2&quot;&gt;");
    expect(page.body).not.toContain(LEAKED_SECRET);
    expect(page.body).toContain("[REDACTED]");
    const list = await call("/patchwright/jobs", { headers: BEARER });
    expect(list.body).not.toMatch(/<img|<script|<b>/i);
    expect(list.body).not.toContain(LEAKED_SECRET);
  });

  it.each(["/patchwright/jobs/999", "/patchwright/jobs/abc", "/patchwright/jobs/0", "/patchwright/jobs/1x", "/patchwright/jobs/12345678901234567890", "/patchwright/nope"])("answers 404 for %s", async (path) => {
    expect((await call(path, { headers: BEARER })).status).toBe(404);
  });

  it("renders a huge ledger capped: the newest events and commands, the diff cut at a line", async () => {
    const id = dashboard.ids.running;
    for (let i = 0; i < 400; i++) {
      await dashboard.queue.appendLedger(id, "fixer1.agent.tool_call", { kind: "tool_call", turn: i, callId: `c${i}`, name: "run_command", args: '{"command":"npm test"}', ok: true, result: "x".repeat(3_000), durationMs: 1 });
    }
    await dashboard.queue.appendLedger(id, "deliver", { patch: `+${"y".repeat(98)}\n`.repeat(10_000) });
    await dashboard.queue.appendLedger(id, "mystery", { kind: 7, nested: { deep: ["<i>"] } });
    const page = await call(`/patchwright/jobs/${id}`, { headers: BEARER });
    expect(page.status).toBe(200);
    expect(page.body).toContain("The last 300 of 400 events.");
    expect(page.body).toContain("The diff is cut here: 800001 more characters are in the store");
    expect(page.body).toMatch(/<span class="add">\+y{98}<\/span>\n<\/pre>/);
    expect(page.body).toContain("The last 200 of 400 commands.");
    expect(page.body.length).toBeLessThan(1_500_000);
    expect(page.body).toContain("&lt;i&gt;");
  });
});

describe("dashboard: Stop", () => {
  it("cancels a queued job from the session's form, and flags a running one for its worker", async () => {
    const { cookie, csrf } = await signIn();
    const headers = { cookie, origin: dashboard.url, "sec-fetch-site": "same-origin" };
    const queued = await call(`/patchwright/jobs/${dashboard.ids.queued}/stop`, { form: { csrf }, headers });
    expect(queued.status).toBe(303);
    expect(queued.headers.get("location")).toBe(`/patchwright/jobs/${dashboard.ids.queued}?stop=cancelled`);
    expect(await stateOf(dashboard.ids.queued)).toBe("cancelled");
    const after = await call(queued.headers.get("location") ?? "", { headers: { cookie } });
    expect(after.body).toContain("Stopped: the job was waiting and is now cancelled.");
    expect(after.body).not.toContain('id="stop"');

    const running = await call(`/patchwright/jobs/${dashboard.ids.running}/stop`, { form: { csrf }, headers });
    expect(running.headers.get("location")).toBe(`/patchwright/jobs/${dashboard.ids.running}?stop=flagged`);
    expect(await dashboard.queue.cancelRequestedBy(dashboard.ids.running)).toBe("operator");
  });

  it("takes a bearer client's POST without a CSRF token", async () => {
    const res = await call(`/patchwright/jobs/${dashboard.ids.queued}/stop`, { form: {}, headers: BEARER });
    expect(res.status).toBe(303);
    expect(await stateOf(dashboard.ids.queued)).toBe("cancelled");
  });

  it("answers 404 for stopping a job that does not exist", async () => {
    expect((await call("/patchwright/jobs/999/stop", { form: {}, headers: BEARER })).status).toBe(404);
  });
});

describe("dashboard: CSRF", () => {
  it.each([
    ["a cross-origin Origin", (csrf: string) => ({ form: { csrf }, headers: { origin: "http://evil.example" } })],
    ["Sec-Fetch-Site: cross-site", (csrf: string) => ({ form: { csrf }, headers: { "sec-fetch-site": "cross-site" } })],
    ["Origin: null", (csrf: string) => ({ form: { csrf }, headers: { origin: "null" } })],
    ["neither Origin nor Sec-Fetch-Site", (csrf: string) => ({ form: { csrf }, headers: {} })],
    ["no CSRF token", () => ({ form: {}, headers: { origin: dashboard.url } })],
    ["another CSRF token", (csrf: string) => ({ form: { csrf: `${csrf.slice(1)}A` }, headers: { origin: dashboard.url } })],
  ] as const)("refuses a session's POST with %s", async (_name, make) => {
    const { cookie, csrf } = await signIn();
    const request = make(csrf);
    const res = await call(`/patchwright/jobs/${dashboard.ids.queued}/stop`, { form: request.form, headers: { cookie, ...request.headers } });
    expect(res.status).toBe(403);
    expect(await stateOf(dashboard.ids.queued)).toBe("queued");
  });

  it("refuses a bearer POST that a browser says came from another site", async () => {
    const res = await call(`/patchwright/jobs/${dashboard.ids.queued}/stop`, { form: {}, headers: { ...BEARER, origin: "http://evil.example" } });
    expect(res.status).toBe(403);
    expect(await stateOf(dashboard.ids.queued)).toBe("queued");
  });

  it("signs out only with the session's CSRF token", async () => {
    const { cookie, csrf } = await signIn();
    expect((await call("/patchwright/logout", { form: {}, headers: { cookie, origin: dashboard.url } })).status).toBe(403);
    const out = await call("/patchwright/logout", { form: { csrf }, headers: { cookie, origin: dashboard.url } });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/patchwright/login");
    expect(out.headers.get("set-cookie")).toMatch(/^patchwright_session=; .*Max-Age=0/);
  });

  it("refuses a sign-in posted from another site", async () => {
    const res = await call("/patchwright/login", { form: { token: OPERATOR_TOKEN }, headers: { origin: "http://evil.example" } });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });
});
