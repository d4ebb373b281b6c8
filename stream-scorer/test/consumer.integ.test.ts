/**
 * The consumer loop and the Redis transport against the machine's Redis (unique streams per
 * test, deleted afterwards): every entry ends in the output or the dead-letter stream exactly
 * once — with invalid entries, consumers that die holding entries, a consumer too slow to
 * keep them, poison entries, entries deleted while pending, a restart under the same name,
 * back-pressure and a graceful stop. Each test takes well under a few seconds.
 */
import { EXAMPLE_WINE } from '@wine/model';
import type { Redis } from 'ioredis';
import type { StreamTransport } from '../src/transport';
import { startConsumer, transportFor } from './harness';
import type { Running } from './harness';
import {
  addEntries,
  connect,
  describeWithRedis,
  dropStreams,
  groupState,
  readStream,
  recordEntries,
  uniqueStreams,
  waitFor,
  wines,
} from './redis';
import type { TestStreams } from './redis';

describeWithRedis('stream consumer on real Redis', () => {
  let redis: Redis;
  const cleanup: Array<() => Promise<void>> = [];
  const streamsFor = (name: string): TestStreams => {
    const streams = uniqueStreams(name);
    cleanup.push(() => dropStreams(redis, streams));
    return streams;
  };
  const started = (r: Running): Running => {
    cleanup.push(() => r.stop());
    return r;
  };
  const opened = (t: StreamTransport): StreamTransport => {
    cleanup.push(() => t.close());
    return t;
  };
  const settled = async (streams: TestStreams, total: number): Promise<void> => {
    await waitFor(
      `${total} results`,
      async () =>
        (await redis.xlen(streams.output)) + (await redis.xlen(streams.deadLetter)) >= total &&
        (await groupState(redis, streams)).pending === 0,
      15_000,
    );
  };

  beforeAll(() => {
    redis = connect();
  });
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('scores valid wines, dead-letters the rest with the API’s codes: every input id once', async () => {
    const streams = streamsFor('mix');
    const good = wines(1500);
    const bad: Array<[string[], string]> = [
      [['record', '{"alcohol":'], 'MALFORMED_JSON'],
      [['record', JSON.stringify({ ...EXAMPLE_WINE, density: 7 })], 'IMPOSSIBLE_VALUE'],
      [['record', JSON.stringify({ ...EXAMPLE_WINE, wine_type: 'rosé' })], 'INVALID_INPUT'],
      [['wine', '{}'], 'INVALID_MESSAGE'],
      [['record', 'x'.repeat(20_000)], 'PAYLOAD_TOO_LARGE'],
    ];
    const entries = recordEntries(good);
    // Interleave the bad ones so they share batches with good ones.
    bad.forEach(([fields], i) => entries.splice(i * 300 + 7, 0, fields));
    const ids = await addEntries(redis, streams.input, entries);
    const a = started(await startConsumer(streams, 'a'));
    const b = started(await startConsumer(streams, 'b'));
    await settled(streams, ids.length);

    const outputs = await readStream(redis, streams.output);
    const dead = await readStream(redis, streams.deadLetter);
    const seen = [...outputs, ...dead].map((e) => e.fields['input_id']);
    expect(seen.length).toBe(ids.length);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(dead.map((d) => [d.fields['input_id'], d.fields['code']])).toEqual(
      expect.arrayContaining(bad.map(([, code], i) => [ids[i * 300 + 7], code])),
    );
    expect(dead).toHaveLength(bad.length);
    for (const d of dead) expect(Object.keys(d.fields)).toEqual(['input_id', 'code', 'message']);

    // The bundled model's predictions, with its version, field for field.
    const model = a.store.current()!;
    const expected = new Map(
      ids.map((id, i) => [id, entries[i]![0] === 'record' ? entries[i]![1] : undefined]),
    );
    const byId = new Map(outputs.map((o) => [o.fields['input_id']!, o.fields]));
    for (const [i, wine] of good.slice(0, 50).entries()) {
      const id = ids[entries.findIndex((e) => e[1] === JSON.stringify(wine))]!;
      expect(expected.get(id)).toBe(JSON.stringify(wine));
      expect(Object.keys(byId.get(id)!)).toEqual(['input_id', 'prediction', 'model_version']);
      expect(Number(byId.get(id)!['prediction'])).toBe(model.predictRecords([good[i]!])[0]);
      expect(byId.get(id)!['model_version']).toBe(model.info.version);
    }
    // Both consumers worked; the counters add up.
    const produced =
      (await a.metric('wine_stream_messages_produced_total')) +
      (await b.metric('wine_stream_messages_produced_total'));
    expect(produced).toBe(good.length);
    expect(a.consumer.stats().consumed + b.consumer.stats().consumed).toBe(ids.length);
    expect(
      await a.metric(
        'wine_stream_lag_messages',
        `{stream="${streams.input}",group="${streams.group}"}`,
      ),
    ).toBe(0);
    expect(await a.metric('wine_stream_broker_connected')).toBe(1);
    expect(await a.metric('wine_stream_message_latency_seconds_count')).toBe(
      a.consumer.stats().consumed,
    );
  });

  it('a consumer that dies holding entries: another claims them after the idle time', async () => {
    const streams = streamsFor('claim');
    const ids = await addEntries(redis, streams.input, recordEntries(wines(120)));
    const dying = opened(transportFor(streams, 'dying'));
    await dying.prepare();
    expect(await dying.readNew(80, 100)).toHaveLength(80);
    // 'dying' never commits. A live consumer takes the rest now and the 80 after 300 ms idle.
    const live = started(await startConsumer(streams, 'live', { settings: { claimIdleMs: 300 } }));
    await settled(streams, ids.length);
    const outputs = await readStream(redis, streams.output);
    expect(outputs.map((o) => o.fields['input_id']).sort()).toEqual([...ids].sort());
    expect(
      await live.metric('wine_stream_messages_consumed_total', '{delivery="redelivered"}'),
    ).toBe(80);
  });

  it('a consumer too slow to keep its entries writes nothing twice (the commit checks ownership)', async () => {
    const streams = streamsFor('owner');
    const ids = await addEntries(redis, streams.input, recordEntries(wines(10)));
    const slow = opened(transportFor(streams, 'slow'));
    const fast = opened(transportFor(streams, 'fast'));
    await slow.prepare();
    const held = await slow.readNew(10, 100);
    const claimed = await fast.claimStale(0, 100);
    expect(claimed.messages.map((m) => m.id)).toEqual(ids);
    expect(claimed.messages.every((m) => m.deliveries === 2)).toBe(true);
    const results = (p: number) => held.map((m) => ({ inputId: m.id, prediction: p }));
    // The slow one commits first: refused, because 'fast' holds the entries now.
    expect(
      (await slow.commit({ outputs: results(1), modelVersion: 'slow', deadLetters: [] })).notOwned,
    ).toEqual(ids);
    expect(
      (await fast.commit({ outputs: results(2), modelVersion: 'fast', deadLetters: [] })).notOwned,
    ).toEqual([]);
    // A retry of an already written batch (a lost reply) is refused too.
    expect(
      (await fast.commit({ outputs: results(3), modelVersion: 'fast', deadLetters: [] })).notOwned,
    ).toEqual(ids);
    const outputs = await readStream(redis, streams.output);
    expect(outputs.map((o) => [o.fields['input_id'], o.fields['prediction']])).toEqual(
      ids.map((id) => [id, '2']),
    );
    expect((await groupState(redis, streams)).pending).toBe(0);
  });

  it('an entry every holder died on goes to the dead letters after STREAM_MAX_DELIVERIES', async () => {
    const streams = streamsFor('poison');
    const [poison] = await addEntries(redis, streams.input, recordEntries(wines(1)));
    const t = opened(transportFor(streams, 'crashy'));
    await t.prepare();
    await t.readNew(1, 100);
    for (let i = 0; i < 3; i++) await t.claimStale(0, 10); // 4 deliveries
    started(
      await startConsumer(streams, 'careful', { settings: { claimIdleMs: 100, maxDeliveries: 4 } }),
    );
    await settled(streams, 1);
    const [letter] = await readStream(redis, streams.deadLetter);
    expect(letter?.fields).toMatchObject({ input_id: poison, code: 'TOO_MANY_DELIVERIES' });
    expect(letter?.fields['message']).toMatch(/delivered 5 times.*limit 4/);
    expect(await redis.xlen(streams.output)).toBe(0);
  });

  it('an entry deleted while pending is reported as INPUT_DELETED, not silently dropped', async () => {
    const streams = streamsFor('deleted');
    const ids = await addEntries(redis, streams.input, recordEntries(wines(3)));
    const t = opened(transportFor(streams, 'gone'));
    await t.prepare();
    await t.readNew(3, 100);
    await redis.xdel(streams.input, ids[1]!);
    const live = started(await startConsumer(streams, 'live', { settings: { claimIdleMs: 100 } }));
    await settled(streams, 3);
    const dead = await readStream(redis, streams.deadLetter);
    expect(dead.map((d) => [d.fields['input_id'], d.fields['code']])).toEqual([
      [ids[1], 'INPUT_DELETED'],
    ]);
    expect((await readStream(redis, streams.output)).map((o) => o.fields['input_id'])).toEqual([
      ids[0],
      ids[2],
    ]);
    expect(
      await live.metric('wine_stream_messages_dead_lettered_total', '{code="INPUT_DELETED"}'),
    ).toBe(1);
  });

  it('restarted under the same name, a consumer finishes its own pending entries first', async () => {
    const streams = streamsFor('restart');
    const ids = await addEntries(redis, streams.input, recordEntries(wines(30)));
    const before = opened(transportFor(streams, 'scorer-1'));
    await before.prepare();
    await before.readNew(20, 100);
    await before.close();
    // Claiming is an hour away: only its own history can bring these 20 back.
    const after = started(await startConsumer(streams, 'scorer-1'));
    await settled(streams, ids.length);
    expect(
      await after.metric('wine_stream_messages_consumed_total', '{delivery="redelivered"}'),
    ).toBe(20);
    expect(await redis.xlen(streams.output)).toBe(30);
  });

  it('back-pressure: never more than STREAM_MAX_PENDING entries held, even with slow commits', async () => {
    const streams = streamsFor('pressure');
    const ids = await addEntries(redis, streams.input, recordEntries(wines(400)));
    const held: { by?: Running } = {};
    let worst = 0;
    const slowCommits = (t: StreamTransport): StreamTransport => ({
      ...t,
      async readNew(count, blockMs) {
        worst = Math.max(worst, (held.by?.consumer.stats().inFlight ?? 0) + count);
        return t.readNew(count, blockMs);
      },
      async commit(batch) {
        await new Promise((r) => setTimeout(r, 40));
        return t.commit(batch);
      },
    });
    held.by = started(
      await startConsumer(streams, 'p', {
        settings: { batchSize: 20, maxPending: 60 },
        wrap: slowCommits,
      }),
    );
    await settled(streams, ids.length);
    expect(worst).toBeGreaterThan(20);
    expect(worst).toBeLessThanOrEqual(60);
  });

  it('stop(): the batch in hand is committed and acknowledged, the rest waits for others', async () => {
    const streams = streamsFor('stop');
    await addEntries(redis, streams.input, recordEntries(wines(3000)));
    const slow = (t: StreamTransport): StreamTransport => ({
      ...t,
      async commit(batch) {
        await new Promise((r) => setTimeout(r, 30));
        return t.commit(batch);
      },
    });
    const r = await startConsumer(streams, 'stopper', { wrap: slow });
    await waitFor('some output', async () => (await redis.xlen(streams.output)) > 200, 10_000);
    await r.stop();
    const stats = r.consumer.stats();
    expect(stats.inFlight).toBe(0);
    expect(stats.consumed).toBeLessThan(3000);
    expect(await redis.xlen(streams.output)).toBe(stats.consumed);
    const state = await groupState(redis, streams);
    expect(state).toMatchObject({ pending: 0, lag: 3000 - stats.consumed });
    const t = opened(transportFor(streams, 'stopper'));
    expect(await t.leave()).toBe(true);
    expect((await groupState(redis, streams)).consumers).toBe(0);
  });
});
