import type { Redis } from "ioredis";

export interface RedisSafety {
  /** Why the app must not use this Redis, with what to set; null when it may. */
  readonly refusal: string | null;
  /** What the operator should know, each with what to set. */
  readonly warnings: readonly string[];
}

/**
 * What the queue needs of a Redis: it must never evict a key (an evicted job
 * is lost without a trace), and it should persist (a restart without
 * persistence loses every job and delivery id). Read with CONFIG GET, or from
 * INFO where a managed Redis refuses CONFIG.
 */
export async function checkRedisSafety(redis: Pick<Redis, "config" | "info">): Promise<RedisSafety> {
  const settings = await readSettings(redis);
  const warnings: string[] = [];
  const refusal =
    settings.policy === undefined
      ? null
      : settings.policy !== "noeviction"
        ? `Redis evicts keys (maxmemory-policy ${settings.policy}): jobs would be lost silently. Set \`maxmemory-policy noeviction\` (redis.conf, or CONFIG SET maxmemory-policy noeviction).`
        : null;
  if (settings.policy === undefined) warnings.push("Could not read Redis's maxmemory-policy: make sure it is `noeviction`, or jobs may be lost silently.");
  if (settings.appendonly === false && settings.save === "") {
    warnings.push("Redis does not persist (appendonly no, no save points): a Redis restart loses every queued job. Set `appendonly yes` (or RDB `save` points).");
  } else if (settings.appendonly === false) {
    warnings.push("Redis persists only by RDB snapshots: a crash loses the jobs since the last one. `appendonly yes` keeps them.");
  }
  return { refusal, warnings };
}

async function readSettings(redis: Pick<Redis, "config" | "info">): Promise<{ policy: string | undefined; appendonly: boolean | undefined; save?: string | undefined }> {
  try {
    const [policy, appendonly, save] = await Promise.all(
      ["maxmemory-policy", "appendonly", "save"].map(async (name) => ((await redis.config("GET", name)) as string[])[1]),
    );
    return { policy, appendonly: appendonly === undefined ? undefined : appendonly === "yes", save };
  } catch {
    // CONFIG is often disabled on managed Redis: INFO still says most of it.
    const info = `${await redis.info("memory")}\n${await redis.info("persistence")}`;
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1]?.trim();
    const aof = field("aof_enabled");
    return { policy: field("maxmemory_policy"), appendonly: aof === undefined ? undefined : aof === "1" };
  }
}
