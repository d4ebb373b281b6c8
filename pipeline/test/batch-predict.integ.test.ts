/**
 * `pnpm run batch-predict` as users run it (the built CLI in a child process): a kill -9 in
 * the middle leaves nothing under the output name, a re-run writes the same bytes, and with
 * --partitions 4 two `pipeline worker --batch-only` processes score one blob on Azurite into
 * a manifest of 4 parts whose concatenation is the single-process output. Redis is the
 * machine's, under a unique queue prefix. Costs ≈ 30 s (two worker starts, Azurite).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { createStorage, parseLocation } from '@wine/azure';
import { describeWithAzurite, startAzurite, type Azurite } from '@wine/azure/testing';
import { manifestSchema } from '@wine/batch';
import { REDIS_URL, missingPostgresAndRedis, uniquePrefix } from './services';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'pipeline', 'dist', 'cli', 'batch-predict.js');
const PIPELINE = path.join(ROOT, 'pipeline', 'dist', 'cli', 'main.js');

const HEADER =
  'fixed_acidity,volatile_acidity,citric_acid,residual_sugar,chlorides,free_sulfur_dioxide,total_sulfur_dioxide,density,ph,sulphates,alcohol,wine_type';

/** n rows in contract names; every 997th row has an impossible pH. */
async function writeCsv(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${HEADER}\n`);
  let chunk = '';
  for (let i = 0; i < n; i++) {
    const ph = i % 997 === 5 ? '15' : (3 + (i % 50) / 100).toFixed(2);
    chunk += `${(6 + (i % 40) / 10).toFixed(1)},${(0.2 + (i % 60) / 100).toFixed(2)},0.3,${(1 + (i % 90) / 10).toFixed(1)},0.05,${10 + (i % 40)},${60 + (i % 150)},0.996,${ph},0.6,${(9 + (i % 50) / 10).toFixed(1)},${i % 3 === 0 ? 'white' : 'red'}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    maxBuffer: 1 << 24,
  });
}

let work: string;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run pnpm build first`);
  work = await mkdtemp(path.join(os.tmpdir(), 'wine-batch-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('batch-predict in one process', () => {
  it('leaves no file under the output name when killed with SIGKILL, and re-runs byte for byte', async () => {
    const input = path.join(work, 'big.csv');
    await writeCsv(input, 600_000);
    const output = path.join(work, 'scored.csv');
    const child = spawn(process.execPath, [CLI, '--input', input, '--output', output], {
      stdio: 'ignore',
    });
    const exited = once(child, 'exit');
    // Kill once the output is being written (its hidden temp file has data), not before.
    for (let i = 0; i < 400; i++) {
      const temps = (await readdir(work)).filter((f) => f.startsWith('.scored.csv.'));
      const sizes = await Promise.all(
        temps.map((f) =>
          stat(path.join(work, f)).then(
            (s) => s.size,
            () => 0,
          ),
        ),
      );
      if (sizes.some((s) => s > 0)) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(output)).toBe(false);
    expect(existsSync(path.join(work, 'scored.rejected.csv'))).toBe(false);

    const { stdout } = await cli(['--input', input, '--output', output, '--json']);
    const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<
      string,
      number | string
    >;
    expect(summary).toMatchObject({ rows: 600_000 - 602, rejected: 602, output });
    expect(Object.keys(summary)).toEqual(['rows', 'rejected', 'seconds', 'output']);
    const first = await readFile(output);
    expect(first.toString('latin1').split('\n')).toHaveLength(600_000 - 602 + 2);
    const rejected = (await readFile(path.join(work, 'scored.rejected.csv'), 'utf8'))
      .trim()
      .split('\n');
    expect(rejected).toHaveLength(603);
    expect(rejected[1]).toMatch(/big\.csv,7,\d+,ph,15,DATA_OUT_OF_RANGE,pH must be within 0–14$/);
    await cli(['--input', input, '--output', output]);
    expect((await readFile(output)).equals(first)).toBe(true);
  }, 120_000);
});

const missingRedis = missingPostgresAndRedis().filter((m) => m.includes('Redis'));

describeWithAzurite('batch-predict --partitions on pipeline workers', () => {
  let azurite: Azurite;
  const workers: ChildProcess[] = [];
  const prefix = uniquePrefix('batch');

  beforeAll(async () => {
    if (missingRedis.length > 0) throw new Error(missingRedis.join('; '));
    azurite = await startAzurite({ containers: ['datasets', 'scored'] });
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.filter((w) => w.exitCode === null).map((w) => once(w, 'exit')));
    await azurite.stop();
  });

  it('4 parts on 2 workers concatenate to the single-process output', async () => {
    const env = { ...azurite.env, REDIS_URL, PIPELINE_QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' };
    const local = path.join(work, 'input.csv');
    await writeCsv(local, 50_000);
    const storage = createStorage({ env });
    const writer = storage.writer(parseLocation('az://datasets/wine/input.csv'));
    writer.stream.end(await readFile(local));
    await writer.commit();

    await cli(
      ['--input', 'az://datasets/wine/input.csv', '--output', 'az://scored/single.csv'],
      env,
    );
    const single = await text(storage.read(parseLocation('az://scored/single.csv')));

    const logs = ['', ''];
    for (let i = 0; i < 2; i++) {
      const w = spawn(process.execPath, [PIPELINE, 'worker', '--batch-only'], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const append = (d: Buffer) => {
        logs[i] = `${logs[i] ?? ''}${d.toString()}`;
      };
      w.stdout.on('data', append);
      w.stderr.on('data', append);
      workers.push(w);
    }
    const { stdout } = await cli(
      [
        '--input',
        'az://datasets/wine/input.csv',
        '--output',
        'az://scored/parts/',
        '--partitions',
        '4',
        '--json',
      ],
      env,
    );
    const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
    expect(summary).toMatchObject({
      rows: 50_000 - 51,
      rejected: 51,
      output: 'az://scored/parts/',
    });
    const manifest = manifestSchema.parse(
      JSON.parse(await text(storage.read(parseLocation('az://scored/parts/manifest.json')))),
    );
    expect(manifest.parts.map((p) => p.name)).toEqual([
      'part-00000.csv',
      'part-00001.csv',
      'part-00002.csv',
      'part-00003.csv',
    ]);
    const parts = await Promise.all(
      manifest.parts.map((p) => text(storage.read(parseLocation(`az://scored/parts/${p.name}`)))),
    );
    expect(parts.join('')).toBe(single);
    expect(await text(storage.read(parseLocation('az://scored/parts/rejected.csv')))).toBe(
      await text(storage.read(parseLocation('az://scored/single.rejected.csv'))),
    );
    const scoredBy = logs.map((l) => (l.match(/batch part scored/g) ?? []).length);
    expect(scoredBy.reduce((a, b) => a + b, 0)).toBe(4);
  }, 180_000);
});
