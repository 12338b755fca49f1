import type { Logger } from "pino";
import { EnvError, type AppEnv } from "../config/env.ts";
import type { JobQueue } from "./job-queue.ts";
import { openRedisQueue, UnsafeRedis } from "./redis-queue.ts";
import { openSqliteQueue } from "./sqlite-queue.ts";

/**
 * The store the environment asks for: Redis when `REDIS_URL` is
 * set (workers on several machines), else the embedded SQLite file under the
 * data directory. A Redis that would lose jobs is refused at start.
 */
export async function openQueue(env: Pick<AppEnv, "redisUrl" | "dataDir">, log: Pick<Logger, "warn">): Promise<JobQueue> {
  if (env.redisUrl === undefined) return openSqliteQueue({ dataDir: env.dataDir });
  try {
    return await openRedisQueue({ url: env.redisUrl, checkSafety: { warn: (message) => log.warn(message) } });
  } catch (error) {
    if (error instanceof UnsafeRedis) throw new EnvError(`REDIS_URL: ${error.message}`);
    throw new EnvError(`REDIS_URL: ${error instanceof Error ? error.message : String(error)}`);
  }
}
