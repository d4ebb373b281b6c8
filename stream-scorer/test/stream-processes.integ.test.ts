/**
 * Acceptance, with real processes on the machine's Redis: 100,000 entries (1 % of them not
 * valid wines) produced while two built scorers (dist/main.js) consume them; one is
 * SIGKILLed mid-run, the other claims what it held. Every input id then appears exactly once
 * in the output or the dead-letter stream, nothing is pending, and the survivor stops
 * cleanly on SIGTERM. Needs `pnpm build`; ≈ 10–30 s on a busy 2-core machine.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLE_WINE } from '@wine/model';
import type { Redis } from 'ioredis';
import {
  addEntries,
  connect,
  describeWithRedis,
  dropStreams,
  drained,
  readStream,
  uniqueStreams,
  waitFor,
  wines,
} from './redis';
import type { TestStreams } from './redis';
import { SCORER_MAIN, startScorer } from './scorer-process';
import type { ScorerProcess } from './scorer-process';

const TOTAL = 100_000;
const CHUNK = 5000;

const built = existsSync(SCORER_MAIN)
  ? []
  : [`${path.relative(process.cwd(), SCORER_MAIN)} missing: run \`pnpm build\``];

/** Entry i: a valid wine, except every 100th (alternately malformed JSON / impossible value). */
function entryFields(i: number, pool: readonly string[]): string[] {
  if (i % 100 === 99) {
    return ['record', i % 200 === 99 ? '{"ph": 3.2,' : JSON.stringify({ ...EXAMPLE_WINE, ph: -1 })];
  }
  return ['record', pool[i % pool.length] as string];
}

describeWithRedis(
  '100,000 entries through two scorer processes, one SIGKILLed',
  () => {
    let redis: Redis;
    let streams: TestStreams;
    const processes: ScorerProcess[] = [];

    beforeAll(() => {
      redis = connect();
      streams = uniqueStreams('processes');
    });
    afterAll(async () => {
      await Promise.all(processes.map((p) => p.kill('SIGKILL')));
      await dropStreams(redis, streams);
      await redis.quit();
    });

    it('loses nothing and writes nothing twice', async () => {
      const env = { STREAM_CLAIM_IDLE_MS: '1000', STREAM_BATCH_SIZE: '500' };
      const victim = await startScorer(streams, 'victim', env);
      const survivor = await startScorer(streams, 'survivor', env);
      processes.push(victim, survivor);

      const pool = wines(2000).map((w) => JSON.stringify(w));
      const ids: string[] = [];
      let killedHolding = -1;
      const produced = (async () => {
        for (let i = 0; i < TOTAL; i += CHUNK) {
          const chunk = Array.from({ length: Math.min(CHUNK, TOTAL - i) }, (_, k) =>
            entryFields(i + k, pool),
          );
          ids.push(...(await addEntries(redis, streams.input, chunk)));
        }
      })();
      // Mid-run: kill -9 one scorer while it holds entries.
      await waitFor(
        '30,000 results',
        async () => (await redis.xlen(streams.output)) >= 30_000,
        60_000,
      );
      // Frozen first (SIGSTOP), so what it holds cannot change before the SIGKILL lands.
      const holding = async (): Promise<number> => {
        const pel = (await redis.call('XPENDING', streams.input, streams.group)) as [
          number,
          string,
          string,
          Array<[string, string]> | null,
        ];
        return Number(pel[3]?.find(([name]) => name === 'victim')?.[1] ?? 0);
      };
      for (let attempt = 0; attempt < 200 && killedHolding <= 0; attempt++) {
        victim.child.kill('SIGSTOP');
        killedHolding = await holding();
        if (killedHolding > 0) break;
        victim.child.kill('SIGCONT');
        await new Promise((r) => setTimeout(r, 10));
      }
      await victim.kill('SIGKILL');
      await produced;

      await drained(redis, streams, 120_000);
      const outputs = await readStream(redis, streams.output);
      const dead = await readStream(redis, streams.deadLetter);
      const seen = [...outputs, ...dead].map((e) => e.fields['input_id'] as string);
      expect(ids).toHaveLength(TOTAL);
      // Every input id exactly once: none lost, none duplicated.
      expect(seen).toHaveLength(TOTAL);
      expect(new Set(seen).size).toBe(TOTAL);
      const inputs = new Set(ids);
      expect(seen.filter((id) => !inputs.has(id))).toEqual([]);
      expect(dead).toHaveLength(TOTAL / 100);
      const invalidIds = new Set(ids.filter((_, i) => i % 100 === 99));
      expect(dead.every((d) => invalidIds.has(d.fields['input_id'] as string))).toBe(true);
      expect(new Set(dead.map((d) => d.fields['code']))).toEqual(
        new Set(['MALFORMED_JSON', 'IMPOSSIBLE_VALUE']),
      );

      // The victim died holding entries, and the survivor claimed and scored them.
      expect(killedHolding).toBeGreaterThan(0);
      const redelivered = await survivor.metric(
        'wine_stream_messages_consumed_total',
        '{delivery="redelivered"}',
      );
      expect(redelivered).toBeGreaterThanOrEqual(killedHolding);
      console.info(
        `victim SIGKILLed holding ${killedHolding} entries; survivor redelivered ${redelivered}; ${outputs.length} outputs, ${dead.length} dead letters`,
      );
      expect(await survivor.metric('wine_stream_errors_total', '{operation="score"}')).toBe(0);

      // SIGTERM: the survivor finishes, leaves the group and exits 0.
      const exit = await survivor.kill('SIGTERM');
      expect(exit).toEqual({ code: 0, signal: null });
      expect(survivor.logs.join('')).toMatch(/"left_group":true/);
    }, 240_000);
  },
  built,
);
