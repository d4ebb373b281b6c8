/**
 * Batch scoring with az:// on Azurite: input read as ranged download streams, output and
 * rejected rows committed as block lists, partitions over one blob's byte ranges.
 */
import { text } from 'node:stream/consumers';
import { createStorage, parseLocation, type Storage } from '@wine/azure';
import { describeWithAzurite, startAzurite, type Azurite } from '@wine/azure/testing';
import { partJobs, planBatch, runBatch, scorePart, writeManifest } from '@wine/batch';
import { bundledModel, contractCsv, uciCsv, wines } from './fixtures';

describeWithAzurite('batch scoring on Azurite', () => {
  let azurite: Azurite;
  let storage: Storage;

  beforeAll(async () => {
    azurite = await startAzurite({ containers: ['datasets'] });
    storage = createStorage({
      env: azurite.env,
      blocks: { blockBytes: 64 * 1024, concurrency: 2 },
    });
    const put = async (at: string, body: string) => {
      const w = storage.writer(parseLocation(at));
      w.stream.end(body);
      await w.commit();
    };
    const bad = contractCsv(wines(4000, 5)).split('\r\n');
    bad[1234] = bad[1234]!.replace(/,(red|white)$/, ',blue');
    await put('az://datasets/wine/big.csv', bad.join('\r\n'));
    await put('az://datasets/uci/winequality-red.csv', uciCsv(wines(300, 6)));
    await put('az://datasets/uci/winequality-white.csv', uciCsv(wines(200, 7)));
  });
  afterAll(async () => {
    await azurite.stop();
  });

  const read = (at: string) => text(storage.read(parseLocation(at)));

  it('scores a blob into a blob, and its partitions into the same bytes', async () => {
    const model = await bundledModel();
    const summary = await runBatch(
      {
        input: parseLocation('az://datasets/wine/big.csv'),
        output: parseLocation('az://datasets/scored/big.csv'),
      },
      { storage, model },
    );
    expect(summary).toMatchObject({
      rows: 3999,
      rejected: 1,
      output: 'az://datasets/scored/big.csv',
    });
    const single = await read('az://datasets/scored/big.csv');
    expect(single.split('\n')).toHaveLength(4001);
    expect(await read('az://datasets/scored/big.rejected.csv')).toContain(',1235,');

    const plan = await planBatch(storage, parseLocation('az://datasets/wine/big.csv'), {
      partitions: 3,
      modelVersionColumn: true,
    });
    const out = parseLocation('az://datasets/scored/big-parts/');
    const results = await Promise.all(
      partJobs(plan.parts, { header: plan.header, output: out, modelVersionColumn: true }).map(
        (job) => scorePart(job, { storage, model }),
      ),
    );
    const manifest = await writeManifest(
      {
        output: 'az://datasets/scored/big-parts/',
        input: ['az://datasets/wine/big.csv'],
        header: plan.header,
        parts: 3,
        model: { uri: 'bundled', version: model.version, sha256: '-' },
      },
      results,
      { storage },
    );
    const parts = await Promise.all(
      manifest.parts.map((p) => read(`az://datasets/scored/big-parts/${p.name}`)),
    );
    expect(parts.join('')).toBe(single);
    expect(await read('az://datasets/scored/big-parts/rejected.csv')).toBe(
      await read('az://datasets/scored/big.rejected.csv'),
    );
    const listed = await storage.list(parseLocation('az://datasets/scored/big-parts/'));
    expect(listed.map((o) => o.name)).toEqual([
      'manifest.json',
      'part-00000.csv',
      'part-00001.csv',
      'part-00002.csv',
      'rejected.csv',
    ]);
  });

  it('scores every CSV under a prefix (UCI files, colour from the names) in name order', async () => {
    const model = await bundledModel();
    const summary = await runBatch(
      {
        input: parseLocation('az://datasets/uci/'),
        output: parseLocation('az://datasets/scored/uci.csv'),
      },
      { storage, model },
    );
    expect(summary).toMatchObject({ rows: 500, rejected: 0 });
    const lines = (await read('az://datasets/scored/uci.csv')).trim().split('\n');
    expect(lines[1]?.split(',')[12]).toBe('red');
    expect(lines[301]?.split(',')[12]).toBe('white');
  });
});
