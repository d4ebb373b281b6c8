import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EXAMPLE_WINE, createRng, parseWineColumns, type LabeledWineRecord } from '@wine/model';
import { injectDrift, describeInjection, NO_DRIFT } from './drift-injection';
import { createRowSource } from './row-source';
import { runSimulation } from './run-simulation';
import { percentile, poissonGapMs } from './schedule';
import { simulateOptionsSchema } from './simulate-options.schema';
import { csvTarget, httpTarget } from './targets';

const base: LabeledWineRecord = { ...EXAMPLE_WINE, quality: 5 };
const rows: LabeledWineRecord[] = Array.from({ length: 100 }, (_, i) => ({
  ...base,
  alcohol: 9 + (i % 10) / 10,
  wine_type: i < 75 ? 'red' : 'white',
  quality: 3 + (i % 6),
}));

describe('drift injection', () => {
  it('shifts, then scales, rounds away float noise and stays physically possible', () => {
    const out = injectDrift(base, {
      shift: { alcohol: 1.5, density: 1 },
      scale: { sulphates: 1.3, alcohol: 2 },
    });
    expect(out.alcohol).toBe(21.8);
    expect(out.sulphates).toBe(0.728);
    expect(out.density).toBe(1.1); // clamped to FEATURE_RULES
    expect(injectDrift(base, NO_DRIFT)).toEqual(base);
    expect(
      describeInjection({ shift: { alcohol: 1.5 }, scale: { sulphates: 1.3 }, whiteShare: 0.8 }),
    ).toBe('alcohol +1.5, sulphates ×1.3, white share 0.8');
  });

  it('--white-share changes the colour mix; the true quality travels with each row', () => {
    const source = createRowSource(rows, {
      seed: 1,
      order: 'shuffle',
      drift: { shift: { alcohol: 1 }, scale: {}, whiteShare: 0.8 },
    });
    const drawn = Array.from({ length: 4000 }, () => source.next());
    const white = drawn.filter((r) => r.wine_type === 'white').length / drawn.length;
    expect(Math.abs(white - 0.8)).toBeLessThan(0.03);
    for (const r of drawn.slice(0, 50)) {
      const original = rows.find((o) => o.alcohol + 1 === r.alcohol && o.wine_type === r.wine_type);
      expect(original).toBeDefined();
    }
    expect(() =>
      createRowSource(rows.slice(0, 10), {
        seed: 1,
        order: 'shuffle',
        drift: { ...NO_DRIFT, whiteShare: 0.5 },
      }),
    ).toThrow(/needs white wines/);
  });

  it('sequential order replays the file in order, then again', () => {
    const source = createRowSource(rows, { seed: 1, order: 'sequential', drift: NO_DRIFT });
    const drawn = Array.from({ length: 101 }, () => source.next());
    expect(drawn[0]).toEqual(rows[0]);
    expect(drawn[100]).toEqual(rows[0]);
  });
});

describe('schedule', () => {
  it('Poisson gaps average 1/rate and vary', () => {
    const rng = createRng(3);
    const gaps = Array.from({ length: 20_000 }, () => poissonGapMs(50, rng));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(Math.abs(mean - 20)).toBeLessThan(0.6);
    const sorted = Float64Array.from(gaps).sort();
    // Exponential: the median is ln 2 of the mean.
    expect(Math.abs(percentile(sorted, 0.5) - 20 * Math.LN2)).toBeLessThan(0.6);
  });
  it('percentile is nearest-rank', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(percentile([], 0.5)).toBe(0);
  });
});

describe('targets', () => {
  it('--to csv writes the drifted wines with their quality, a file drift reads', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'simulate-'));
    try {
      const file = path.join(dir, 'out.csv');
      const summary = await runSimulation(
        {
          rate: 1,
          requests: 500,
          concurrency: 4,
          feedbackFraction: 0.5,
          feedbackDelayMs: 0,
          seed: 1,
        },
        {
          target: csvTarget(file),
          rows: createRowSource(rows, {
            seed: 1,
            order: 'sequential',
            drift: { shift: { alcohol: 1.5 }, scale: {} },
          }),
        },
      );
      expect(summary.requests).toMatchObject({ sent: 500, ok: 500 });
      expect(summary.feedback.selected).toBe(0); // a file takes no feedback
      const parsed = parseWineColumns(await readFile(file, 'utf8'), { file, requireQuality: true });
      expect(parsed.columns.rows).toBe(500);
      expect(parsed.columns.features.alcohol[0]).toBe(10.5);
      expect(Array.from(parsed.columns.quality!.slice(0, 3))).toEqual([3, 4, 5]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('http: no service → a clear error before any traffic', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    await expect(
      runSimulation(
        { rate: 10, requests: 5, concurrency: 1, feedbackFraction: 0, feedbackDelayMs: 0, seed: 1 },
        {
          target: httpTarget({ url: `http://127.0.0.1:${port}`, timeoutMs: 2000 }),
          rows: createRowSource(rows, { seed: 1, order: 'shuffle', drift: NO_DRIFT }),
        },
      ),
    ).rejects.toMatchObject({
      code: 'SIMULATE_TARGET_UNAVAILABLE',
      message: expect.stringMatching(/pnpm start/),
    });
  });
});

describe('options', () => {
  it('parses repeatable --shift/--scale and refuses unknown features', () => {
    const o = simulateOptionsSchema.parse({
      shift: ['alcohol=+1.5'],
      scale: ['sulphates=1.3'],
      whiteShare: '0.8',
    });
    expect(o).toMatchObject({
      shift: [['alcohol', 1.5]],
      scale: [['sulphates', 1.3]],
      whiteShare: 0.8,
      rate: 20,
    });
    expect(simulateOptionsSchema.safeParse({ shift: ['alc=1'] }).success).toBe(false);
    expect(simulateOptionsSchema.safeParse({ to: 'csv' }).success).toBe(false);
    expect(simulateOptionsSchema.safeParse({ url: 'ftp://x' }).success).toBe(false);
  });
});
