/**
 * The Lua scripts of the Redis transport. Why a script and not MULTI/EXEC: a transaction
 * makes "XADD outputs + XACK inputs" atomic, but cannot look before it writes. The commit
 * script first asks which of the batch's ids this consumer still holds (XPENDING filtered by
 * consumer), then writes and acknowledges only those — in one atomic step, so a slow
 * consumer whose entries were claimed by another can never write a second result.
 *
 * Redis Cluster: a script's keys must share a hash slot; name the streams with one hash tag
 * (e.g. {wine}:measurements, {wine}:predictions, {wine}:dead-letter).
 */
import { idRange } from './stream-ids';
import type { CommitBatch } from './transport';

/**
 * COUNT of the XPENDING calls. They are bounded by an id range and by this consumer, so
 * they return at most what this consumer holds in that range (≤ STREAM_MAX_PENDING in
 * normal operation); the count only has to be larger than that, never a page.
 */
export const PEL_SCAN_LIMIT = 100_000_000;

/**
 * KEYS: input, output, dead-letter.
 * ARGV: group, consumer, model version, maxlen (0 = none), n outputs, n dead letters,
 *       min id, max id, PEL scan limit, then n × (id, prediction), then n × (id, code, message).
 * Returns the ids it did not write (not held by this consumer).
 */
export const COMMIT_SCRIPT = `
local input, output, dead = KEYS[1], KEYS[2], KEYS[3]
local group, consumer, version = ARGV[1], ARGV[2], ARGV[3]
local maxlen = tonumber(ARGV[4])
local nOut, nDead = tonumber(ARGV[5]), tonumber(ARGV[6])
local held = {}
local pel = redis.call('XPENDING', input, group, ARGV[7], ARGV[8], tonumber(ARGV[9]), consumer)
for i = 1, #pel do held[pel[i][1]] = true end
local function add(stream, ...)
  if maxlen > 0 then
    return redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', ...)
  end
  return redis.call('XADD', stream, '*', ...)
end
local acked, skipped = {}, {}
local a = 10
for _ = 1, nOut do
  local id = ARGV[a]
  if held[id] then
    held[id] = nil
    add(output, 'input_id', id, 'prediction', ARGV[a + 1], 'model_version', version)
    acked[#acked + 1] = id
  else
    skipped[#skipped + 1] = id
  end
  a = a + 2
end
for _ = 1, nDead do
  local id = ARGV[a]
  if held[id] then
    held[id] = nil
    add(dead, 'input_id', id, 'code', ARGV[a + 1], 'message', ARGV[a + 2])
    acked[#acked + 1] = id
  else
    skipped[#skipped + 1] = id
  end
  a = a + 3
end
-- unpack() is limited by the Lua stack: acknowledge in chunks.
for i = 1, #acked, 1000 do
  redis.call('XACK', input, group, unpack(acked, i, math.min(i + 999, #acked)))
end
return skipped
`;

/**
 * KEYS: input. ARGV: group, consumer. Removes the consumer from the group only when it holds
 * no pending entry (XGROUP DELCONSUMER would drop them); returns 1 when it did.
 */
export const LEAVE_SCRIPT = `
local pel = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #pel > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

/** ARGV of COMMIT_SCRIPT for a batch; undefined when there is nothing to commit. */
export function commitArguments(
  batch: CommitBatch,
  who: { readonly group: string; readonly consumer: string; readonly maxLen: number },
): (string | number)[] | undefined {
  const ids = [...batch.outputs.map((o) => o.inputId), ...batch.deadLetters.map((d) => d.inputId)];
  if (ids.length === 0) return undefined;
  const { min, max } = idRange(ids);
  const args: (string | number)[] = [
    who.group,
    who.consumer,
    batch.modelVersion,
    who.maxLen,
    batch.outputs.length,
    batch.deadLetters.length,
    min,
    max,
    PEL_SCAN_LIMIT,
  ];
  for (const o of batch.outputs) args.push(o.inputId, String(o.prediction));
  for (const d of batch.deadLetters) args.push(d.inputId, d.code, d.message);
  return args;
}
