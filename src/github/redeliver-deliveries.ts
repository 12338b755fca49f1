import type { Logger } from "pino";
import { listHookDeliveries, type HookDelivery } from "./list-hook-deliveries.ts";
import type { Octokit } from "./types.ts";

/**
 * GitHub never redelivers a webhook delivery that failed (the app was down,
 * restarting, or answered 5xx): the app asks for it. Every pass lists the
 * app's recent deliveries and asks GitHub to redeliver each event that no
 * attempt delivered and the app's store never recorded.
 */

/** An event GitHub shows redelivered this often (by the app or by a person) keeps failing: it is left alone. */
export const MAX_REDELIVERIES_PER_EVENT = 3;
export const DEFAULT_MAX_REDELIVERIES_PER_PASS = 50;
/** 100 deliveries a page: a pass looks at no more than the newest 1,000. */
export const DEFAULT_MAX_PAGES_PER_PASS = 10;
/** Redelivery requests failing in a row (5xx, no answer) after which a pass ends: GitHub is unwell. */
const MAX_FAILED_REQUESTS_IN_A_ROW = 3;
/** Answers that mean GitHub will not redeliver this one (too old, unknown id): it is not asked again. */
const REFUSALS: ReadonlySet<number> = new Set([400, 404, 410, 422]);

export type SkipReason =
  | "recorded" // the app's store has the delivery: it was handled
  | "already_asked" // this process asked for it before
  | "redelivered_enough" // GitHub shows MAX_REDELIVERIES_PER_EVENT redeliveries already
  | "pass_limit" // the pass asked for maxRedeliveries already; the next pass takes it
  | "refused" // GitHub refused the redelivery (4xx); not asked again
  | "request_failed" // GitHub failed (5xx) or did not answer; asked again next pass
  | "pass_ended"; // the pass ended first (stopping, store unavailable, GitHub failing)

export interface RedeliverDeps {
  /** Authenticated as the app (a JWT): Probot's `await probot.auth()`, without an installation id. */
  octokit: { request: Octokit["request"] };
  /** Whether the app's store recorded this delivery (`X-GitHub-Delivery`, the event's guid). */
  wasProcessed: (guid: string) => Promise<boolean>;
  /** Epoch ms: deliveries before this are not looked at. */
  since: number;
  /** Guids this process asked GitHub to redeliver (or that GitHub refused): never asked twice. Updated by the pass. */
  alreadyAsked: Set<string>;
  log: Pick<Logger, "info" | "warn">;
  maxRedeliveries?: number;
  maxPages?: number;
  /** Aborted: the pass stops between requests. */
  signal?: AbortSignal;
}

export interface RedeliveryPass {
  /** Delivery attempts listed. */
  listed: number;
  /** Events since `since` that no attempt delivered: each is redelivered or skipped. */
  failed: number;
  redelivered: string[];
  skipped: { guid: string; reason: SkipReason }[];
}

interface EventAttempts {
  guid: string;
  newest: HookDelivery;
  firstAt: number;
  delivered: boolean;
  redeliveries: number;
}

/** One pass: list, judge each event, ask for the missed ones. Never throws for GitHub's or the store's failures. */
export async function redeliverMissedDeliveries(deps: RedeliverDeps): Promise<RedeliveryPass> {
  const { octokit, since, alreadyAsked, log, signal } = deps;
  const maxRedeliveries = deps.maxRedeliveries ?? DEFAULT_MAX_REDELIVERIES_PER_PASS;
  const listing = await listSince(deps);
  const missed = [...groupByEvent(listing).values()]
    .filter((e) => !e.delivered && e.newest.deliveredAt >= since)
    .sort((a, b) => a.firstAt - b.firstAt || a.guid.localeCompare(b.guid));
  const pass: RedeliveryPass = { listed: listing.length, failed: missed.length, redelivered: [], skipped: [] };
  let endedBecause: string | null = null;
  let failuresInARow = 0;

  for (const event of missed) {
    const reason = await skipReason(event);
    if (reason === null) await ask(event);
    else pass.skipped.push({ guid: event.guid, reason });
  }

  const noteworthy = pass.skipped.filter((s) => s.reason !== "recorded" && s.reason !== "already_asked");
  if (pass.redelivered.length > 0 || noteworthy.length > 0)
    log.info({ listed: pass.listed, failed: pass.failed, redelivered: pass.redelivered.length, skipped: countReasons(pass.skipped), endedBecause }, "webhook redelivery pass done");
  return pass;

  async function skipReason(event: EventAttempts): Promise<SkipReason | null> {
    if (endedBecause === null && signal?.aborted) endedBecause = "stopping";
    if (endedBecause !== null) return "pass_ended";
    if (alreadyAsked.has(event.guid)) return "already_asked";
    if (event.redeliveries >= MAX_REDELIVERIES_PER_EVENT) return "redelivered_enough";
    const store = await recorded(event.guid);
    if (store !== "no") return store === "yes" ? "recorded" : "pass_ended";
    if (pass.redelivered.length >= maxRedeliveries) return "pass_limit";
    return null;
  }

  /** The store's answer; a store that cannot answer ends the pass (it is the same store for every event). */
  async function recorded(guid: string): Promise<"yes" | "no" | "unknown"> {
    try {
      if (await deps.wasProcessed(guid)) return "yes";
      // Looked at again after the wait: the pass may have been told to stop meanwhile.
      return signal?.aborted ? "unknown" : "no";
    } catch (error) {
      endedBecause = "store unavailable";
      log.warn({ guid, error: error instanceof Error ? error.message : String(error) }, "the store could not say whether a webhook delivery was handled; redelivery pass ended");
      return "unknown";
    }
  }

  /** Asks GitHub to redeliver the event's newest attempt. */
  async function ask({ guid, newest }: EventAttempts): Promise<void> {
    const where = { guid, deliveryId: newest.id, event: newest.event, action: newest.action, deliveredAt: new Date(newest.deliveredAt).toISOString() };
    try {
      await octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: newest.id });
      alreadyAsked.add(guid);
      pass.redelivered.push(guid);
      failuresInARow = 0;
      log.info(where, "missed webhook delivery redelivered");
    } catch (error) {
      const answer = githubAnswerOf(error);
      const refused = answer.status !== undefined && REFUSALS.has(answer.status);
      if (refused) alreadyAsked.add(guid);
      pass.skipped.push({ guid, reason: refused ? "refused" : "request_failed" });
      failuresInARow = refused ? 0 : failuresInARow + 1;
      if (failuresInARow >= MAX_FAILED_REQUESTS_IN_A_ROW) endedBecause = "GitHub failing";
      log.warn({ ...where, ...answer }, "GitHub did not redeliver a missed webhook delivery");
    }
  }
}

/** Newest first, until a page reaches back past `since` (or the page cap); a failed page keeps the pages before it. */
async function listSince(deps: RedeliverDeps): Promise<HookDelivery[]> {
  const { since, log, signal } = deps;
  const maxPages = deps.maxPages ?? DEFAULT_MAX_PAGES_PER_PASS;
  const listed: HookDelivery[] = [];
  let pages = 0;
  try {
    for await (const page of listHookDeliveries(deps.octokit)) {
      pages++;
      listed.push(...page.deliveries);
      if (page.malformed > 0) log.warn({ malformed: page.malformed }, "GitHub listed webhook deliveries without the documented fields; they are left out");
      if (page.deliveries.length === 0 || page.deliveries.some((d) => d.deliveredAt < since) || signal?.aborted) break;
      if (pages >= maxPages) {
        if (page.more) log.warn({ pages, since: new Date(since).toISOString() }, "webhook deliveries: page limit reached; older deliveries were not checked");
        break;
      }
    }
  } catch (error) {
    log.warn({ pagesListed: pages, ...githubAnswerOf(error) }, "could not list the app's webhook deliveries");
  }
  return listed;
}

function groupByEvent(deliveries: readonly HookDelivery[]): Map<string, EventAttempts> {
  const events = new Map<string, EventAttempts>();
  const seen = new Set<number>();
  for (const d of deliveries) {
    if (seen.has(d.id)) continue; // a page boundary that moved while listing
    seen.add(d.id);
    const e = events.get(d.guid) ?? { guid: d.guid, newest: d, firstAt: d.deliveredAt, delivered: false, redeliveries: 0 };
    if (d.deliveredAt > e.newest.deliveredAt || (d.deliveredAt === e.newest.deliveredAt && d.id > e.newest.id)) e.newest = d;
    e.firstAt = Math.min(e.firstAt, d.deliveredAt);
    // 2xx only: a 3xx is a redirect GitHub does not follow, so the app never saw the event.
    e.delivered ||= d.statusCode >= 200 && d.statusCode < 300;
    if (d.redelivery) e.redeliveries++;
    events.set(d.guid, e);
  }
  return events;
}

function countReasons(skipped: RedeliveryPass["skipped"]): Partial<Record<SkipReason, number>> {
  const counts: Partial<Record<SkipReason, number>> = {};
  for (const { reason } of skipped) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}

/** What GitHub said, for a log line: status and GitHub's own message, never the request (its headers carry the JWT). */
export function githubAnswerOf(error: unknown): { status?: number; message: string; documentationUrl?: string } {
  const e = error as { status?: unknown; response?: { data?: unknown } } | null;
  const status = typeof e?.status === "number" ? e.status : undefined;
  const data = e?.response?.data as { message?: unknown; documentation_url?: unknown } | undefined;
  const message = typeof data?.message === "string" ? data.message : error instanceof Error ? error.message : String(error);
  const documentationUrl = typeof data?.documentation_url === "string" ? data.documentation_url : undefined;
  return { ...(status === undefined ? {} : { status }), message, ...(documentationUrl === undefined ? {} : { documentationUrl }) };
}

/** Runs `run` after `delayMs`; returns what cancels it. Injected by tests. */
export type Schedule = (run: () => void, delayMs: number) => () => void;

const timerSchedule: Schedule = (run, delayMs) => {
  const timer = setTimeout(run, delayMs);
  timer.unref(); // a pending pass never holds the process open
  return () => clearTimeout(timer);
};

export interface RedeliveryLoopDeps extends Omit<RedeliverDeps, "since" | "alreadyAsked" | "signal"> {
  /** Between the end of one pass and the start of the next. */
  intervalMs: number;
  /** Each pass looks this far back (GitHub keeps deliveries 3 days on github.com). */
  lookbackMs: number;
  /** Shared across passes; a fresh set by default. */
  alreadyAsked?: Set<string>;
  now?: () => number;
  schedule?: Schedule;
}

export interface RedeliveryLoop {
  /** No pass starts after this; resolves when the running pass (if any) has ended. */
  stop(): Promise<void>;
}

/**
 * A pass at once (deliveries missed while the app was down), then one every
 * `intervalMs` after the previous ended, so passes never overlap. A pass's
 * failure is logged, never thrown.
 */
export function startRedeliveryLoop(deps: RedeliveryLoopDeps): RedeliveryLoop {
  const { intervalMs, lookbackMs, log } = deps;
  const now = deps.now ?? Date.now;
  const schedule = deps.schedule ?? timerSchedule;
  const alreadyAsked = deps.alreadyAsked ?? new Set<string>();
  const stopping = new AbortController();
  let running: Promise<void> = Promise.resolve();
  let cancel: (() => void) | undefined;

  const tick = () => {
    cancel = undefined;
    running = redeliverMissedDeliveries({ ...deps, since: now() - lookbackMs, alreadyAsked, signal: stopping.signal })
      .then(
        () => undefined,
        (error: unknown) => log.warn({ error: error instanceof Error ? error.message : String(error) }, "webhook redelivery pass failed"),
      )
      .then(() => {
        if (!stopping.signal.aborted) cancel = schedule(tick, intervalMs);
      });
  };
  tick();

  return {
    async stop() {
      stopping.abort();
      cancel?.();
      await running;
    },
  };
}
