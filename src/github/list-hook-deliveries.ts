import { z } from "zod";
import type { Octokit } from "./types.ts";

/** GitHub's largest page of webhook deliveries. */
export const DELIVERIES_PER_PAGE = 100;

/**
 * One delivery attempt of the app's webhook, as `GET /app/hook/deliveries`
 * lists it: only the fields the redelivery decision reads. Every attempt of
 * one event (the first delivery and each redelivery) shares its `guid`, which
 * is also the `X-GitHub-Delivery` header the app received.
 */
const HookDeliveryItem = z.object({
  /** This attempt; what `POST /app/hook/deliveries/{id}/attempts` redelivers. */
  id: z.number().int(),
  /** The event, shared by all its attempts. */
  guid: z.string().min(1),
  /** When GitHub made this attempt (ISO 8601). */
  delivered_at: z.iso.datetime({ offset: true }),
  /** Whether this attempt was a redelivery. */
  redelivery: z.boolean(),
  /** The app's HTTP answer; 0 when there was none (connection failed, timed out). */
  status_code: z.number().int(),
  /** GitHub's words for the outcome (`OK`, `Invalid HTTP Response: 503`, `timed out`). */
  status: z.string(),
  event: z.string(),
  action: z.string().nullish(),
});

export interface HookDelivery {
  id: number;
  guid: string;
  /** Epoch ms. */
  deliveredAt: number;
  redelivery: boolean;
  statusCode: number;
  status: string;
  event: string;
  action: string | null;
}

export interface HookDeliveryPage {
  deliveries: HookDelivery[];
  /** Items GitHub listed that did not have the documented shape (left out of `deliveries`). */
  malformed: number;
  /** Whether GitHub links a next page. */
  more: boolean;
}

/**
 * The app's webhook deliveries, newest first, one page at a time, following
 * the `cursor` of GitHub's `Link: <…>; rel="next"` header. Unbounded: the
 * caller stops iterating when it has seen enough. Authenticated as the app
 * (a JWT): `octokit` is Probot's `await probot.auth()` without an installation.
 * A failed request throws Octokit's `RequestError`.
 */
export async function* listHookDeliveries(octokit: { request: Octokit["request"] }): AsyncGenerator<HookDeliveryPage> {
  let cursor: string | undefined;
  for (;;) {
    const response = await octokit.request("GET /app/hook/deliveries", { per_page: DELIVERIES_PER_PAGE, ...(cursor === undefined ? {} : { cursor }) });
    cursor = nextCursor(response.headers.link);
    yield { ...parsePage(response.data), more: cursor !== undefined };
    if (cursor === undefined) return;
  }
}

function parsePage(data: unknown): Omit<HookDeliveryPage, "more"> {
  if (!Array.isArray(data)) throw new Error("GitHub answered the list of webhook deliveries with something other than a list");
  const items: unknown[] = data;
  const deliveries: HookDelivery[] = [];
  for (const item of items) {
    const parsed = HookDeliveryItem.safeParse(item);
    if (!parsed.success) continue;
    const d = parsed.data;
    deliveries.push({
      id: d.id,
      guid: d.guid,
      deliveredAt: Date.parse(d.delivered_at),
      redelivery: d.redelivery,
      statusCode: d.status_code,
      status: d.status,
      event: d.event,
      action: d.action ?? null,
    });
  }
  return { deliveries, malformed: items.length - deliveries.length };
}

/** The `cursor` of the `rel="next"` link, if there is a next page. */
export function nextCursor(link: string | undefined): string | undefined {
  if (link === undefined) return undefined;
  for (const part of link.split(",")) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!match || !/(?:^|;)\s*rel="?next"?\s*(?:;|$)/.test(match[2]!)) continue;
    try {
      return new URL(match[1]!).searchParams.get("cursor") ?? undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
