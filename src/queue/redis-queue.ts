import { createHash, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { JobQueue } from "./job-queue.ts";
import { FailureSource, JobPayload, type JobRecord, type JobState } from "./job.ts";
import { failureSourceIdentity } from "./failure-source-identity.ts";
import { checkRedisSafety } from "./redis-safety.ts";
import * as scripts from "./redis-scripts.ts";
import { threadKey, threadOf } from "./thread-of.ts";

/** How long a delivery id is remembered: GitHub redelivers for days, not weeks. */
const DELIVERY_TTL_SECONDS = 30 * 24 * 3600;

export interface RedisQueueOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…` */
  readonly url: string;
  /** Prefix of every key (default `patchwright:`): several deployments, or tests, can share one Redis. */
  readonly keyPrefix?: string;
  readonly now?: () => number;
  /** Check the server first (redis-safety.ts): refuse an evicting Redis, tell `warn` what else to set. */
  readonly checkSafety?: { warn(message: string): void };
}

/** A Redis the queue must not use: the message says what to set. */
export class UnsafeRedis extends Error {
  override readonly name = "UnsafeRedis";
}

/**
 * The job queue on Redis, for workers on several machines (docs/0017). The
 * same contract as the SQLite queue (job-queue.ts), each transition one Lua
 * script (redis-scripts.ts), so it is atomic across every process. A job
 * enqueued in any process wakes waiting workers everywhere (pub/sub).
 */
export async function openRedisQueue(options: RedisQueueOptions): Promise<JobQueue> {
  const P = options.keyPrefix ?? "patchwright:";
  const now = options.now ?? Date.now;
  const redis = connect(options.url);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${new URL(options.url).host}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (options.checkSafety) {
    const safety = await checkRedisSafety(redis);
    if (safety.refusal !== null) {
      await redis.quit();
      throw new UnsafeRedis(safety.refusal);
    }
    for (const warning of safety.warnings) options.checkSafety.warn(warning);
  }
  const run = scriptRunner(redis);
  const listeners = new Set<() => void>();
  const channel = `${P}enqueued`;
  // This connection's own messages come back to it: it has woken its listeners already.
  const self = randomUUID();
  let subscriber: Redis | undefined;
  const notify = () => {
    for (const listener of listeners) listener();
  };

  const readRecords = async (ids: readonly (number | string)[]): Promise<JobRecord[]> => {
    if (ids.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hgetall(`${P}job:${id}`).lrange(`${P}job:${id}:added`, 0, -1);
    const replies = (await pipeline.exec()) ?? [];
    const records: JobRecord[] = [];
    for (let i = 0; i < ids.length; i++) {
      const [hashError, hash] = replies[2 * i] ?? [];
      const [listError, added] = replies[2 * i + 1] ?? [];
      if (hashError) throw hashError;
      if (listError) throw listError;
      const fields = hash as Record<string, string>;
      if (fields["state"] === undefined) continue;
      records.push(toRecord(Number(ids[i]), fields, added as string[]));
    }
    return records;
  };
  const readRecord = async (id: number | string) => (await readRecords([id]))[0] ?? null;
  const idsOf = async (key: string) => (await redis.zrange(`${P}${key}`, 0, -1)).map(Number);

  const enqueueWith = async (
    mode: "newest" | "live" | "start",
    payload: JobPayload,
    dedupeKey: string,
    options: { delayMs?: number; owner?: string; leaseMs?: number; deliveryId?: string } = {},
  ) => {
    const parsed = JobPayload.parse(payload);
    const t = now();
    const [created, id] = (await run(
      scripts.ENQUEUE,
      P,
      mode,
      dedupeKey,
      ...payloadFields(parsed),
      String(t),
      String(t + (options.delayMs ?? 0)),
      identitiesOf(parsed),
      options.owner ?? "",
      String(options.leaseMs ?? 0),
      options.deliveryId ?? "",
      String(DELIVERY_TTL_SECONDS),
    )) as [number, number];
    if (created === -1) return null;
    if (created === 1) {
      notify();
      await redis.publish(channel, self);
    }
    const job = await readRecord(id);
    if (!job) throw new Error(`job ${id} vanished from Redis right after it was written (is Redis evicting keys? set maxmemory-policy noeviction)`);
    return { created: created === 1, job };
  };
  /** `enqueueWith` without a delivery to record: never null. */
  const enqueueOnce = async (...args: Parameters<typeof enqueueWith>) => {
    const result = await enqueueWith(...args);
    if (result === null) throw new Error("unreachable: no delivery was recorded");
    return result;
  };

  return {
    async recordDelivery(deliveryId) {
      return (await redis.set(`${P}delivery:${deliveryId}`, String(now()), "EX", DELIVERY_TTL_SECONDS, "NX")) === "OK";
    },
    async hasDelivery(deliveryId) {
      return (await redis.exists(`${P}delivery:${deliveryId}`)) === 1;
    },
    async forgetDelivery(deliveryId) {
      await redis.del(`${P}delivery:${deliveryId}`);
    },
    enqueue: (payload, dedupeKey, options = {}) => enqueueOnce("newest", payload, dedupeKey, options),
    enqueueDelivery: (deliveryId, payload, dedupeKey, options = {}) => enqueueWith("newest", payload, dedupeKey, { ...options, deliveryId }),
    enqueueUnlessLive: (payload, dedupeKey, options = {}) => enqueueOnce("live", payload, dedupeKey, options),
    async startNow(payload, dedupeKey, owner, leaseMs) {
      return (await enqueueOnce("start", payload, dedupeKey, { owner, leaseMs })).job;
    },
    async lease(owner, leaseMs, caps = {}) {
      const id = (await run(scripts.LEASE, P, String(now()), owner, String(leaseMs), String(caps.perInstallation ?? -1), String(caps.perRepository ?? -1))) as number | null;
      return id === null ? null : readRecord(id);
    },
    async depth() {
      const [ready, delayed, running] = await Promise.all([redis.zcard(`${P}ready`), redis.zcard(`${P}delayed`), redis.zcard(`${P}running`)]);
      return { queued: ready + delayed, running };
    },
    async updateQueued(id, payload) {
      const parsed = JobPayload.parse(payload);
      return (await run(scripts.UPDATE_QUEUED, P, String(id), ...payloadFields(parsed), String(now()), identitiesOf(parsed))) === 1;
    },
    async addFailureSource(id, source) {
      const parsed = FailureSource.parse(source);
      return (await run(scripts.ADD_FAILURE_SOURCE, P, String(id), failureSourceIdentity(parsed), JSON.stringify(parsed), String(now()))) as "added" | "present" | "started";
    },
    async heartbeat(id, owner, leaseMs) {
      return (await run(scripts.HEARTBEAT, P, String(id), owner, String(now()), String(leaseMs))) === 1;
    },
    async finish(id, owner, state, result) {
      await run(scripts.FINISH, P, String(id), owner, state, result, String(now()));
    },
    async retryLater(id, owner, delayMs, reason, options = {}) {
      await run(scripts.RETRY_LATER, P, String(id), owner, String(delayMs), reason, options.uncountRun === true ? "1" : "0", String(now()));
    },
    async setAck(id, ackId) {
      await redis.hset(`${P}job:${id}`, "ack_id", String(ackId));
    },
    async requestCancel(ids, by) {
      if (ids.length === 0) return { cancelled: [], flagged: [] };
      const [cancelled, flagged] = (await run(scripts.REQUEST_CANCEL, P, by, String(now()), ...ids.map(String))) as [number[], number[]];
      return { cancelled: await readRecords(cancelled), flagged: await readRecords(flagged) };
    },
    async cancelRequestedBy(id) {
      return (await redis.hget(`${P}job:${id}`, "cancel_by")) ?? null;
    },
    async live() {
      const ids = [...(await idsOf("ready")), ...(await idsOf("delayed")), ...(await idsOf("running"))].sort((a, b) => a - b);
      return readRecords(ids);
    },
    async jobsOfThread(repoFullName, number) {
      return readRecords(await idsOf(`thread:${threadKey(repoFullName, number)}`));
    },
    async leases() {
      const ids = await idsOf("running");
      const owners = ids.length === 0 ? [] : await redis.pipeline(ids.map((id) => ["hget", `${P}job:${id}`, "lease_owner"])).exec();
      return ids.flatMap((id, i) => {
        const owner = owners?.[i]?.[1];
        return typeof owner === "string" ? [{ id, owner }] : [];
      });
    },
    async expireLease(id, owner) {
      await run(scripts.EXPIRE_LEASE, P, String(id), owner);
    },
    get: async (id) => (Number.isSafeInteger(id) && id > 0 ? readRecord(id) : null),
    list: async () => readRecords(await idsOf("jobs")),
    async appendLedger(jobId, kind, data) {
      await redis.rpush(`${P}ledger:${jobId}`, JSON.stringify({ at: now(), kind, data }));
    },
    async ledger(jobId) {
      return (await redis.lrange(`${P}ledger:${jobId}`, 0, -1)).map((line) => JSON.parse(line) as { at: number; kind: string; data: unknown });
    },
    async recordUsage(jobId, repo, tokens, costUsd) {
      const n = await redis.incr(`${P}usage-seq`);
      await redis.zadd(`${P}usage:${repo}`, now(), JSON.stringify({ n, jobId, tokens, costUsd }));
    },
    async usageSince(repo, since) {
      const rows = (await redis.zrangebyscore(`${P}usage:${repo}`, since, "+inf")).map((row) => JSON.parse(row) as { tokens: number; costUsd: number });
      return { tokens: rows.reduce((sum, r) => sum + r.tokens, 0), costUsd: rows.reduce((sum, r) => sum + r.costUsd, 0) };
    },
    onEnqueued(listener) {
      listeners.add(listener);
      // Jobs enqueued by other processes wake this one too.
      if (subscriber === undefined) {
        subscriber = redis.duplicate();
        subscriber.on("message", (from: string, sender: string) => {
          if (from === channel && sender !== self) notify();
        });
        subscriber.subscribe(channel).catch(() => {
          // Without the subscription, workers still find new jobs at their next poll.
        });
      }
      return () => listeners.delete(listener);
    },
    async close() {
      await Promise.all([redis.quit(), subscriber?.quit()]);
    },
  };
}

function connect(url: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    // A webhook must not hang on a Redis that is away: fail the request (GitHub redelivers it).
    maxRetriesPerRequest: 2,
    connectTimeout: 5_000,
  });
  // Connection errors reach the commands that fail; the client reconnects by itself.
  redis.on("error", () => {});
  return redis;
}

/** Runs scripts by their SHA, loading one the first time Redis does not know it (after a restart, say). */
function scriptRunner(redis: Redis) {
  const shas = new Map<string, string>();
  return async (script: string, ...args: string[]): Promise<unknown> => {
    let sha = shas.get(script);
    if (sha === undefined) {
      sha = createHash("sha1").update(script).digest("hex");
      shas.set(script, sha);
    }
    try {
      return await redis.evalsha(sha, 0, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await redis.eval(script, 0, ...args);
    }
  };
}

/**
 * The red signals a job carries, when its trigger has any (a CI failure's):
 * read by shape, like the SQLite queue's `json_type(…, '$.trigger.sources')`.
 */
function sourcesOf(payload: JobPayload): FailureSource[] | null {
  return "sources" in payload.trigger ? payload.trigger.sources : null;
}

/** The payload fields the scripts store beside it: thread, tenants and whether it carries failure sources. */
function payloadFields(payload: JobPayload): [string, string, string, string, string] {
  const repository = `${payload.repo.owner}/${payload.repo.name}`.toLowerCase();
  return [threadOf(payload) ?? "", JSON.stringify(payload), String(payload.installationId), repository, sourcesOf(payload) === null ? "0" : "1"];
}

function identitiesOf(payload: JobPayload): string {
  return JSON.stringify((sourcesOf(payload) ?? []).map(failureSourceIdentity));
}

function toRecord(id: number, fields: Record<string, string>, added: readonly string[]): JobRecord {
  const payload = JobPayload.parse(JSON.parse(fields["payload"] ?? "null"));
  if (added.length > 0) sourcesOf(payload)?.push(...added.map((s) => FailureSource.parse(JSON.parse(s))));
  return {
    id,
    state: fields["state"] as JobState,
    attempts: Number(fields["attempts"] ?? 0),
    payload,
    ackId: fields["ack_id"] === undefined ? null : Number(fields["ack_id"]),
    runAfter: Number(fields["run_after"] ?? 0),
    result: fields["result"] ?? null,
    createdAt: Number(fields["created_at"]),
    updatedAt: Number(fields["updated_at"]),
  };
}
