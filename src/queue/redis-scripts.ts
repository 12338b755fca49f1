/**
 * The Redis queue's state transitions, one Lua script each: Redis runs a
 * script atomically, so each is what a `BEGIN IMMEDIATE` transaction is to
 * the SQLite queue. ARGV[1] is always the key prefix.
 *
 * Keys (under the prefix):
 * - `seq`: the last job id;
 * - `job:<id>`: the job (hash: state, attempts, payload, dedupe_key, thread,
 *   installation, repository, ci, run_after, lease_owner, lease_expires_at,
 *   cancel_by, ack_id, result, created_at, updated_at);
 *   `job:<id>:sources` (set of failure-source identities),
 *   `job:<id>:added` (list of sources added while it waited);
 * - `jobs` (every id), `ready` (due queued jobs, by id), `delayed` (queued
 *   jobs by due time), `running` (by lease expiry);
 * - `key:newest:<dedupe key>`, `key:live:<dedupe key>`: job ids;
 * - `thread:<owner/name#n>`: the thread's job ids.
 *
 * The scripts name their keys from the prefix rather than declaring them:
 * a single Redis (or a Sentinel-managed primary), not Redis Cluster.
 */

/** Clears the live-key pointer of a job that just ended, if it still points at it. */
const CLEAR_LIVE = `
local function clear_live(P, id, jk)
  local key = redis.call('HGET', jk, 'dedupe_key')
  if key and redis.call('GET', P .. 'key:live:' .. key) == tostring(id) then redis.call('DEL', P .. 'key:live:' .. key) end
end
`;

const TAKE_LEASE = `
local function take_lease(P, id, owner, now, lease_ms)
  local jk = P .. 'job:' .. id
  redis.call('HSET', jk, 'state', 'running', 'lease_owner', owner, 'lease_expires_at', now + lease_ms, 'updated_at', now)
  redis.call('HINCRBY', jk, 'attempts', 1)
  redis.call('ZREM', P .. 'ready', id)
  redis.call('ZREM', P .. 'delayed', id)
  redis.call('ZADD', P .. 'running', now + lease_ms, id)
end
`;

/**
 * ARGV: P, mode (`newest` | `live` | `start`), dedupe key, thread ('' for
 * none), payload, installation, repository, ci ('1'/'0'), now, run after,
 * source identities (JSON array), owner, lease ms (for `start`), delivery id
 * ('' for none) and its TTL in seconds. Returns {created (1/0), id}, or
 * {-1, 0} without writing anything when that delivery was recorded before.
 */
export const ENQUEUE = `${TAKE_LEASE}
local P, mode, key, thread = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now, run_after = tonumber(ARGV[9]), tonumber(ARGV[10])
if ARGV[14] ~= '' and not redis.call('SET', P .. 'delivery:' .. ARGV[14], now, 'EX', tonumber(ARGV[15]), 'NX') then return {-1, 0} end
if mode == 'newest' then
  local existing = redis.call('GET', P .. 'key:newest:' .. key)
  if existing then return {0, tonumber(existing)} end
elseif mode == 'live' then
  local existing = redis.call('GET', P .. 'key:live:' .. key)
  if existing then
    local state = redis.call('HGET', P .. 'job:' .. existing, 'state')
    if state == 'queued' or state == 'running' then return {0, tonumber(existing)} end
  end
end
local id = redis.call('INCR', P .. 'seq')
local jk = P .. 'job:' .. id
redis.call('HSET', jk, 'state', 'queued', 'attempts', 0, 'payload', ARGV[5], 'dedupe_key', key, 'thread', thread,
  'installation', ARGV[6], 'repository', ARGV[7], 'ci', ARGV[8], 'run_after', run_after, 'created_at', now, 'updated_at', now)
redis.call('ZADD', P .. 'jobs', id, id)
if run_after <= now then redis.call('ZADD', P .. 'ready', id, id) else redis.call('ZADD', P .. 'delayed', run_after, id) end
if thread ~= '' then redis.call('ZADD', P .. 'thread:' .. thread, id, id) end
redis.call('SET', P .. 'key:newest:' .. key, id)
redis.call('SET', P .. 'key:live:' .. key, id)
for _, identity in ipairs(cjson.decode(ARGV[11])) do redis.call('SADD', jk .. ':sources', identity) end
if mode == 'start' then take_lease(P, id, ARGV[12], now, tonumber(ARGV[13])) end
return {1, id}
`;

/**
 * ARGV: P, now, owner, lease ms, per-installation cap, per-repository cap
 * (-1: none). Takes the oldest ready job (due, or running with an expired
 * lease) whose tenants are below their caps, counting running jobs with a
 * live lease. Returns its id or false.
 */
export const LEASE = `${TAKE_LEASE}
local P, now, owner, lease_ms = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local cap_i, cap_r = tonumber(ARGV[5]), tonumber(ARGV[6])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'delayed', '-inf', now)) do
  redis.call('ZREM', P .. 'delayed', id)
  redis.call('ZADD', P .. 'ready', id, id)
end
local busy_i, busy_r = {}, {}
if cap_i >= 0 or cap_r >= 0 then
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'running', now, '+inf')) do
    local t = redis.call('HMGET', P .. 'job:' .. id, 'installation', 'repository')
    busy_i[t[1]] = (busy_i[t[1]] or 0) + 1
    busy_r[t[2]] = (busy_r[t[2]] or 0) + 1
  end
end
local function fits(id)
  if cap_i < 0 and cap_r < 0 then return true end
  local t = redis.call('HMGET', P .. 'job:' .. id, 'installation', 'repository')
  return (cap_i < 0 or (busy_i[t[1]] or 0) < cap_i) and (cap_r < 0 or (busy_r[t[2]] or 0) < cap_r)
end
-- Expired leases are few; ready jobs are walked in id order a batch at a time.
local expired = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'running', '-inf', '(' .. now)) do table.insert(expired, tonumber(id)) end
table.sort(expired)
local e, start, batch = 1, 0, 100
while true do
  local ready = redis.call('ZRANGE', P .. 'ready', start, start + batch - 1)
  local r = 1
  while r <= #ready or (#ready < batch and e <= #expired) do
    local id
    if r <= #ready and (e > #expired or tonumber(ready[r]) < expired[e]) then
      id = tonumber(ready[r]); r = r + 1
    else
      id = expired[e]; e = e + 1
    end
    if fits(id) then
      take_lease(P, id, owner, now, lease_ms)
      return id
    end
  end
  if #ready < batch then return false end
  start = start + batch
end
`;

/** ARGV: P, id, owner, now, lease ms. 1 when the lease was renewed. */
export const HEARTBEAT = `
local P, id, owner, now, lease_ms = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local jk = P .. 'job:' .. id
local t = redis.call('HMGET', jk, 'state', 'lease_owner')
if t[1] ~= 'running' or t[2] ~= owner then return 0 end
redis.call('HSET', jk, 'lease_expires_at', now + lease_ms, 'updated_at', now)
redis.call('ZADD', P .. 'running', now + lease_ms, id)
return 1
`;

/** ARGV: P, id, owner, state, result, now. Only the lease holder finishes a job. */
export const FINISH = `${CLEAR_LIVE}
local P, id, owner = ARGV[1], ARGV[2], ARGV[3]
local jk = P .. 'job:' .. id
if redis.call('HGET', jk, 'lease_owner') ~= owner then return 0 end
redis.call('HSET', jk, 'state', ARGV[4], 'result', ARGV[5], 'updated_at', ARGV[6])
redis.call('HDEL', jk, 'lease_owner', 'lease_expires_at')
redis.call('ZREM', P .. 'running', id)
redis.call('ZREM', P .. 'ready', id)
redis.call('ZREM', P .. 'delayed', id)
clear_live(P, id, jk)
return 1
`;

/** ARGV: P, id, owner, delay ms, reason, runs to give back (0/1), now. */
export const RETRY_LATER = `
local P, id, owner = ARGV[1], ARGV[2], ARGV[3]
local now = tonumber(ARGV[7])
local jk = P .. 'job:' .. id
if redis.call('HGET', jk, 'lease_owner') ~= owner then return 0 end
local run_after = now + tonumber(ARGV[4])
local attempts = math.max(0, tonumber(redis.call('HGET', jk, 'attempts')) - tonumber(ARGV[6]))
redis.call('HSET', jk, 'state', 'queued', 'result', ARGV[5], 'run_after', run_after, 'attempts', attempts, 'updated_at', now)
redis.call('HDEL', jk, 'lease_owner', 'lease_expires_at')
redis.call('ZREM', P .. 'running', id)
if run_after <= now then redis.call('ZADD', P .. 'ready', id, id) else redis.call('ZADD', P .. 'delayed', run_after, id) end
return 1
`;

/** ARGV: P, by, now, ids…. Returns {cancelled ids, flagged ids}. */
export const REQUEST_CANCEL = `${CLEAR_LIVE}
local P, by, now = ARGV[1], ARGV[2], ARGV[3]
local cancelled, flagged = {}, {}
for i = 4, #ARGV do
  local id = ARGV[i]
  local jk = P .. 'job:' .. id
  local state = redis.call('HGET', jk, 'state')
  if state == 'queued' then
    redis.call('HSET', jk, 'state', 'cancelled', 'result', 'stopped by @' .. by, 'updated_at', now)
    redis.call('ZREM', P .. 'ready', id)
    redis.call('ZREM', P .. 'delayed', id)
    clear_live(P, id, jk)
    table.insert(cancelled, tonumber(id))
  elseif state == 'running' then
    redis.call('HSET', jk, 'cancel_by', by)
    table.insert(flagged, tonumber(id))
  end
end
return {cancelled, flagged}
`;

/** ARGV: P, id, owner. Ends a dead worker's lease now. */
export const EXPIRE_LEASE = `
local P, id, owner = ARGV[1], ARGV[2], ARGV[3]
local jk = P .. 'job:' .. id
local t = redis.call('HMGET', jk, 'state', 'lease_owner')
if t[1] ~= 'running' or t[2] ~= owner then return 0 end
redis.call('HSET', jk, 'lease_expires_at', 0)
redis.call('ZADD', P .. 'running', 0, id)
return 1
`;

/**
 * ARGV: P, id, thread, payload, installation, repository, ci, now, source
 * identities (JSON array). Replaces a queued job's payload; 0 once started.
 */
export const UPDATE_QUEUED = `
local P, id, thread = ARGV[1], ARGV[2], ARGV[3]
local jk = P .. 'job:' .. id
if redis.call('HGET', jk, 'state') ~= 'queued' then return 0 end
local old = redis.call('HGET', jk, 'thread')
if old and old ~= '' then redis.call('ZREM', P .. 'thread:' .. old, id) end
if thread ~= '' then redis.call('ZADD', P .. 'thread:' .. thread, id, id) end
redis.call('HSET', jk, 'payload', ARGV[4], 'thread', thread, 'installation', ARGV[5], 'repository', ARGV[6], 'ci', ARGV[7], 'updated_at', ARGV[8])
redis.call('DEL', jk .. ':sources', jk .. ':added')
for _, identity in ipairs(cjson.decode(ARGV[9])) do redis.call('SADD', jk .. ':sources', identity) end
return 1
`;

/** ARGV: P, id, identity, source JSON, now. Returns `added`, `present` or `started`. */
export const ADD_FAILURE_SOURCE = `
local P, id, identity = ARGV[1], ARGV[2], ARGV[3]
local jk = P .. 'job:' .. id
if redis.call('SISMEMBER', jk .. ':sources', identity) == 1 then return 'present' end
local t = redis.call('HMGET', jk, 'state', 'ci')
if t[1] ~= 'queued' or t[2] ~= '1' then return 'started' end
redis.call('SADD', jk .. ':sources', identity)
redis.call('RPUSH', jk .. ':added', ARGV[4])
redis.call('HSET', jk, 'updated_at', ARGV[5])
return 'added'
`;
