/**
 * The dashboard in a real browser: Debian's headless Chromium, driven by
 * playwright-core. Signs in by the form, filters the jobs, opens the job
 * whose repository text is markup, checks none of it ran, stops the job, and
 * saves a screenshot of its page.
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, startDashboard, type Dashboard } from "./dashboard-fixture.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SCREENSHOT = path.join(process.env["PATCHWRIGHT_SCREENSHOT_DIR"] ?? tmpdir(), "patchwright-job-page.png");
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let dashboard: Dashboard;
let browser: Browser;

beforeAll(async () => {
  // Never skipped: without the browser this test fails and says how to get it (scripts/test.sh installs it).
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), or run scripts/test.sh, which does.`);
  dashboard = await startDashboard();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
});

describe("dashboard in a browser", () => {
  it("signs in, filters, shows a job with repository markup inert, stops it, and is screenshotted", { timeout: 180_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    // Signed out: the dashboard sends the browser to its form, which comes back to the page asked for.
    await page.goto(`${dashboard.url}/patchwright/jobs`);
    await page.waitForURL(/\/patchwright\/login\?next=/);
    await page.fill("#token", OPERATOR_TOKEN);
    await Promise.all([page.waitForURL(`${dashboard.url}/patchwright/jobs`), page.click("button[type=submit]")]);
    expect(await page.locator("table.jobs tbody tr").count()).toBe(4);

    // Filter by repository and state with the form.
    await page.fill("input[name=repo]", "o/web");
    await page.selectOption("select[name=state]", "queued");
    await Promise.all([page.waitForURL(/state=queued/), page.click("form.filters button[type=submit]")]);
    const rows = page.locator("table.jobs tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute("data-job")).toBe(String(dashboard.ids.queued));

    // The job: every section is there, and the markup planted in it is text.
    await Promise.all([page.waitForURL(new RegExp(`/patchwright/jobs/${dashboard.ids.queued}$`)), rows.first().locator("a").click()]);
    for (const section of ["Timeline", "Diagnosis", "Cost", "Candidates", "Diff", "Trace", "Audit"]) await page.locator("h2", { hasText: section }).waitFor();
    expect(await page.locator("ol.timeline li").count()).toBeGreaterThan(8);
    expect(await page.locator("pre.diff").innerText()).toContain('<script>document.title="pwned";globalThis.pwned=1</script>');
    expect(await page.locator("pre.diagnosis").innerText()).toContain("sum() subtracts instead of adding");
    expect(await page.locator("section", { has: page.locator("#cost") }).innerText()).toContain("26,670");
    await assertNothingRan(page, dialogs);
    expect(await page.locator("h1 .state").innerText()).toBe("queued");

    // Stop: back on the same page, the job is cancelled and the button gone.
    await Promise.all([page.waitForURL(/\?stop=cancelled$/), page.click("#stop")]);
    await page.locator("#notice").waitFor();
    expect(await page.locator("h1 .state").innerText()).toBe("cancelled");
    expect(await page.locator("#stop").count()).toBe(0);
    expect((await dashboard.queue.get(dashboard.ids.queued))?.state).toBe("cancelled");
    await assertNothingRan(page, dialogs);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = await readFile(SCREENSHOT);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(10_000);
    console.log(`job page screenshot: ${SCREENSHOT}`);
  });
});

/** The planted `<script>` would set `pwned` and the title; the planted `<img onerror>` would set `pwned` too. */
async function assertNothingRan(page: Page, dialogs: readonly string[]): Promise<void> {
  expect(await page.evaluate("typeof globalThis.pwned")).toBe("undefined");
  expect(await page.title()).toBe(`Job #${dashboard.ids.queued} · Patchwright`);
  expect(dialogs).toEqual([]);
}
