import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalStorage, parseLocation } from '@wine/azure';
import {
  BatchError,
  manifestSchema,
  partJobs,
  planBatch,
  runBatch,
  scorePart,
  writeManifest,
  type PartResult,
} from '@wine/batch';
import { FEATURE_NAMES } from '@wine/model';
import { bundledModel, contractCsv, uciCsv, wines } from './fixtures';

const storage = createLocalStorage();
let work: string;

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'wine-batch-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const at = (name: string) => parseLocation(path.join(work, name));
const read = (name: string) => readFile(path.join(work, name), 'utf8');

describe('runBatch', () => {
  it('scores a contract-name CSV: input columns + prediction + model_version, in input order', async () => {
    const model = await bundledModel();
    const rows = wines(500);
    await writeFile(path.join(work, 'in.csv'), contractCsv(rows));
    const summary = await runBatch(
      { input: at('in.csv'), output: at('out.csv') },
      { storage, model },
    );
    expect(summary).toMatchObject({ rows: 500, rejected: 0, modelVersion: model.version });
    const lines = (await read('out.csv')).split('\n');
    expect(lines[0]).toBe(`id,${FEATURE_NAMES.join(',')},wine_type,prediction,model_version`);
    expect(lines).toHaveLength(502);
    const expected = model.records(rows);
    lines.slice(1, 501).forEach((line, i) => {
      const cells = line.split(',');
      expect(cells[0]).toBe(`w${i}`);
      expect(Number(cells[13])).toBe(expected[i]);
      expect(cells[14]).toBe(model.version);
    });
    expect(await read('out.rejected.csv')).toBe('file,line,byte_offset,column,value,code,reason\n');
  });

  it('reads the UCI format (";", quoted header, colour from the file name) and adds wine_type', async () => {
    const model = await bundledModel();
    const rows = wines(50).map((w) => ({ ...w, wine_type: 'white' as const }));
    await writeFile(path.join(work, 'winequality-white.csv'), `\uFEFF${uciCsv(rows)}`);
    await runBatch({ input: at('winequality-white.csv'), output: at('o.csv') }, { storage, model });
    const lines = (await read('o.csv')).split('\n');
    expect(lines[0]).toBe(
      'fixed acidity,volatile acidity,citric acid,residual sugar,chlorides,free sulfur dioxide,total sulfur dioxide,density,pH,sulphates,alcohol,quality,wine_type,prediction,model_version',
    );
    const expected = model.records(rows);
    expect(lines.slice(1, 51).map((l) => Number(l.split(',')[13]))).toEqual(expected);
    expect(lines[1]?.split(',')[12]).toBe('white');
  });

  it('puts invalid rows in the rejected file with line and reason, never dropping one silently', async () => {
    const model = await bundledModel();
    const text = contractCsv(wines(20)).split('\r\n');
    text[3] = text[3]!.replace(/^(w2,)[^,]+/, '$1-1');
    text[5] = text[5]!.replace(/,(red|white)$/, ',rose');
    text[8] = 'w7,1,2';
    text.splice(10, 0, '');
    await writeFile(path.join(work, 'in.csv'), text.join('\n'));
    const summary = await runBatch(
      { input: at('in.csv'), output: at('out.csv') },
      { storage, model },
    );
    expect(summary).toMatchObject({ rows: 17, rejected: 3 });
    const rejected = (await read('out.rejected.csv')).trim().split('\n').slice(1);
    expect(rejected.map((r) => r.split(',').slice(1, 2).concat(r.split(',').slice(3, 4)))).toEqual([
      ['4', 'fixed_acidity'],
      ['6', 'wine_type'],
      ['9', ''],
    ]);
    expect(rejected[0]).toContain('DATA_OUT_OF_RANGE');
    expect((await read('out.csv')).trim().split('\n')).toHaveLength(18);
  });

  it('writes the same bytes on a re-run and leaves nothing behind when scoring fails', async () => {
    const model = await bundledModel();
    await writeFile(path.join(work, 'in.csv'), contractCsv(wines(3000)));
    await runBatch(
      { input: at('in.csv'), output: at('a.csv'), blockRows: 256 },
      { storage, model },
    );
    await runBatch(
      { input: at('in.csv'), output: at('b.csv'), blockRows: 1000 },
      { storage, model },
    );
    expect(await read('a.csv')).toBe(await read('b.csv'));
    let calls = 0;
    const failing = {
      ...model,
      predict: (x: Parameters<typeof model.predict>[0]) => {
        if (++calls === 3) throw new Error('scoring failed');
        return model.predict(x);
      },
    };
    await expect(
      runBatch(
        { input: at('in.csv'), output: at('c.csv'), blockRows: 256 },
        { storage, model: failing },
      ),
    ).rejects.toThrow('scoring failed');
    expect((await readdir(work)).sort()).toEqual([
      'a.csv',
      'a.rejected.csv',
      'b.csv',
      'b.rejected.csv',
      'in.csv',
    ]);
  });

  it('refuses a folder whose files have different columns, before scoring', async () => {
    const model = await bundledModel();
    await writeFile(path.join(work, 'a-red.csv'), uciCsv(wines(5)));
    await writeFile(path.join(work, 'b.csv'), contractCsv(wines(5)));
    await expect(
      runBatch({ input: at(''), output: at('out/o.csv') }, { storage, model }),
    ).rejects.toBeInstanceOf(BatchError);
  });
});

describe('partitions', () => {
  it('any number of parts concatenates to the single-process output, rejected lines file-global', async () => {
    const model = await bundledModel();
    const red = uciCsv(wines(997, 2)).split('\n');
    red[40] = red[40]!.replace(/^[^;]+/, 'x');
    red[700] = red[700]!.replace(/;[^;]+;5$/, ';200;5');
    await mkdir(path.join(work, 'in'));
    await writeFile(path.join(work, 'in', 'winequality-red.csv'), red.join('\n'));
    await writeFile(path.join(work, 'in', 'winequality-white.csv'), uciCsv(wines(301, 3)));
    await runBatch({ input: at('in'), output: at('single.csv') }, { storage, model });
    const single = await read('single.csv');
    for (const n of [1, 2, 4, 7]) {
      const plan = await planBatch(storage, at('in'), { partitions: n, modelVersionColumn: true });
      const jobs = partJobs(plan.parts, {
        header: plan.header,
        output: at(`parts${n}`),
        modelVersionColumn: true,
      });
      const results: PartResult[] = [];
      // Out of order, as workers would finish.
      for (const job of [...jobs].reverse()) results.push(await scorePart(job, { storage, model }));
      const manifest = manifestSchema.parse(
        await writeManifest(
          {
            output: path.join(work, `parts${n}`),
            input: [],
            header: plan.header,
            parts: n,
            model: { uri: 'file:x', version: model.version, sha256: 'x' },
          },
          results,
          { storage },
        ),
      );
      expect(manifest.parts).toHaveLength(n);
      const joined = (
        await Promise.all(manifest.parts.map((p) => read(`parts${n}/${p.name}`)))
      ).join('');
      expect(joined).toBe(single);
      expect([n, await read(`parts${n}/rejected.csv`)]).toEqual([
        n,
        await read('single.rejected.csv'),
      ]);
      expect(manifest.rows + manifest.rejected).toBe(997 + 301);
      expect(
        (await readdir(path.join(work, `parts${n}`))).filter((f) => f.startsWith('.')),
      ).toEqual([]);
    }
  });
});
