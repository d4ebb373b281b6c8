/**
 * The baseline for the stream benchmark (named a ceiling when written; it is not one): a
 * plain consumer-group loop doing only what cannot be skipped — XREADGROUP a batch, JSON.parse each record, predict the batch with the same
 * model, XADD one output per entry and XACK the batch in one pipeline. No validation, no
 * ownership check, no claims, metrics, logging or read-ahead. Without read-ahead it waits
 * for Redis on every batch, which the scorer does not, so the scorer is faster than it.
 *
 * Usage: node ceiling-consumer.js <redis url> <input> <output> <group> <consumer> <model dir> <batch>
 * Stops on SIGTERM after the batch in hand.
 */
import { readModelDir } from '@wine/model';
import type { WineRecord } from '@wine/model';
import { Redis } from 'ioredis';

async function main(): Promise<void> {
  const [url = '', input = '', output = '', group = '', consumer = '', dir = '', batch = '500'] =
    process.argv.slice(2);
  const { model } = await readModelDir(dir);
  const redis = new Redis(url, { protocol: 2 });
  await redis.call('XGROUP', ['CREATE', input, group, '0', 'MKSTREAM']).catch(() => undefined);
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
  });
  console.log('ceiling consumer running');
  while (!stopping) {
    const reply = (await redis.call('XREADGROUP', [
      ...['GROUP', group, consumer, 'COUNT', batch, 'BLOCK', 200, 'STREAMS', input, '>'],
    ])) as [string, [string, string[]][]][] | null;
    const entries = reply?.[0]?.[1] ?? [];
    if (entries.length === 0) continue;
    const records = entries.map(([, fields]) => JSON.parse(fields[1] as string) as WineRecord);
    const predictions = model.predictRecords(records);
    const pipeline = redis.pipeline();
    entries.forEach(([id], i) => {
      pipeline.xadd(
        output,
        '*',
        'input_id',
        id,
        'prediction',
        String(predictions[i]),
        'model_version',
        '0',
      );
    });
    pipeline.xack(input, group, ...entries.map(([id]) => id));
    await pipeline.exec();
  }
  redis.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
