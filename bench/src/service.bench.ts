/**
 * `pnpm run bench service`: the prediction service under load next to (a) a bare node:http
 * server doing the same JSON parse + tree prediction (the ceiling) and (b) the seed's
 * Flask + gunicorn + scikit-learn service. All three serve a depth-8 regression tree trained
 * on the UCI data with 2 worker processes, one after the other on this machine.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encodeRecords, fitTree, loadWineDataDir, targetsOf, writeModelDir } from '@wine/model';
import type { LabeledWineRecord, WineRecord } from '@wine/model';
import type { Benchmark } from './registry';
import { WRK, fixedRate, writeWrkScript, wrk } from './service/load';
import type { FixedRateResult, ThroughputResult } from './service/load';
import { startCeiling, startFlask, startOurs } from './service/servers';
import type { Running } from './service/servers';

const WORKERS = 2;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const BATCH = 100;
const TARGETS = { singleVsFlask: 2, p99Ms: 10, batchRowsPerSecond: 200_000 };

interface ServerResult {
  single: ThroughputResult;
  batch100: ThroughputResult & { rowsPerSecond: number };
  /** null for gunicorn's sync workers, which close every connection (no keep-alive). */
  halfRate: FixedRateResult | null;
}

function paths() {
  const root = path.resolve(__dirname, '..', '..');
  const python = process.env['BENCH_PYTHON'] ?? '/opt/pyvenv/bin/python';
  const dataDir = process.env['WINE_DATA_DIR'] ?? path.resolve(root, '..', 'shared', 'data');
  return { root, python, dataDir };
}

function withoutQuality(record: LabeledWineRecord): WineRecord {
  const copy: Partial<LabeledWineRecord> = { ...record };
  delete copy.quality;
  return copy as WineRecord;
}

async function trainModel(dataDir: string, dir: string): Promise<WineRecord[]> {
  const { records } = await loadWineDataDir(dataDir);
  const x = encodeRecords(records);
  const params = { maxDepth: 8, seed: 0 };
  const model = fitTree(x, targetsOf(records), params);
  const inputs: WineRecord[] = records.map((r) => withoutQuality(r));
  const doc = model.toDocument({
    training: {
      kind: 'tree',
      params: { ...params },
      learner: { name: 'wine-cart', version: 'bench' },
      nTrain: records.length,
    },
  });
  await writeModelDir(dir, doc, { inputExample: inputs.slice(0, 5) });
  return inputs;
}

async function measure(
  server: Running,
  keepAlive: boolean,
  scripts: { single: string; batch: string },
  singleBody: string,
): Promise<ServerResult> {
  const url = `${server.url}/predict`;
  console.log(`  ${server.name}: warm-up`);
  await wrk(url, scripts.single, 2);
  console.log(`  ${server.name}: single-record max throughput (${SECONDS}s)`);
  const single = await wrk(url, scripts.single, SECONDS);
  console.log(`    ${single.requestsPerSecond.toFixed(0)} req/s, p99 ${single.p99Ms} ms`);
  console.log(`  ${server.name}: ${BATCH}-record batches (${SECONDS}s)`);
  const batch = await wrk(url, scripts.batch, SECONDS);
  const rowsPerSecond = batch.requestsPerSecond * BATCH;
  console.log(`    ${rowsPerSecond.toFixed(0)} rows/s`);
  let halfRate: FixedRateResult | null = null;
  if (keepAlive) {
    const rate = single.requestsPerSecond / 2;
    console.log(
      `  ${server.name}: latency at half the max rate (${rate.toFixed(0)} req/s, ${SECONDS}s)`,
    );
    halfRate = await fixedRate(url, singleBody, rate, SECONDS);
    console.log(`    p50 ${halfRate.p50Ms} ms, p99 ${halfRate.p99Ms} ms`);
  }
  return { single, batch100: { ...batch, rowsPerSecond }, halfRate };
}

async function checkAgreement(ours: Running, ceiling: Running, body: string): Promise<void> {
  const post = async (s: Running): Promise<unknown> => {
    const res = await fetch(`${s.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return res.json();
  };
  const a = (await post(ours)) as { predictions?: number[] };
  const b = (await post(ceiling)) as { predictions?: number[] };
  if (JSON.stringify(a.predictions) !== JSON.stringify(b.predictions)) {
    throw new Error('the service and the ceiling disagree on predictions: not the same model?');
  }
}

const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;

export const serviceBenchmark: Benchmark = {
  name: 'service',
  description: `prediction service vs node:http ceiling vs Flask+gunicorn+sklearn (${WORKERS} workers each; wrk + open-loop constant rate)`,
  async run() {
    const { root, python, dataDir } = paths();
    const missing = [
      [WRK, 'wrk (apt-get install wrk)'],
      [python, 'Python venv with flask, gunicorn, scikit-learn (BENCH_PYTHON)'],
      [path.join(path.dirname(python), 'gunicorn'), 'gunicorn in that venv'],
      [path.join(dataDir, 'winequality-red.csv'), 'UCI data (WINE_DATA_DIR)'],
      [path.join(root, 'prediction-service', 'dist', 'main.js'), 'built service (pnpm build)'],
    ].filter(([file]) => file === undefined || !existsSync(file));
    if (missing.length > 0) {
      throw new Error(
        `service benchmark cannot run; missing: ${missing.map(([, what]) => what).join(', ')}`,
      );
    }
    const work = await mkdtemp(path.join(os.tmpdir(), 'wine-bench-service-'));
    const running: Running[] = [];
    try {
      const modelDir = path.join(work, 'model');
      const inputs = await trainModel(dataDir, modelDir);
      const singleBody = JSON.stringify(inputs[0]);
      const batchBody = JSON.stringify({ instances: inputs.slice(0, BATCH) });
      const scripts = {
        single: path.join(work, 'single.lua'),
        batch: path.join(work, 'batch.lua'),
      };
      await writeWrkScript(scripts.single, singleBody);
      await writeWrkScript(scripts.batch, batchBody);

      // One server at a time: they share 2 cores with the load generator.
      const ours = await startOurs(modelDir, WORKERS);
      running.push(ours);
      const ceiling = await startCeiling(modelDir, WORKERS);
      running.push(ceiling);
      await checkAgreement(ours, ceiling, batchBody);
      await ceiling.stop();
      const s = await measure(ours, true, scripts, singleBody);
      await ours.stop();

      const ceiling2 = await startCeiling(modelDir, WORKERS);
      running.push(ceiling2);
      const c = await measure(ceiling2, true, scripts, singleBody);
      await ceiling2.stop();

      const flask = await startFlask(python, dataDir, WORKERS);
      running.push(flask);
      const f = await measure(flask, false, scripts, singleBody);
      await flask.stop();

      const ratios = {
        singleServiceVsFlask: ratio(s.single.requestsPerSecond, f.single.requestsPerSecond),
        singleServiceVsCeiling: ratio(s.single.requestsPerSecond, c.single.requestsPerSecond),
        batchRowsServiceVsFlask: ratio(s.batch100.rowsPerSecond, f.batch100.rowsPerSecond),
        batchRowsServiceVsCeiling: ratio(s.batch100.rowsPerSecond, c.batch100.rowsPerSecond),
      };
      const targets = {
        singleThroughputAtLeast2xFlask: {
          target: TARGETS.singleVsFlask,
          measured: ratios.singleServiceVsFlask,
          met: ratios.singleServiceVsFlask >= TARGETS.singleVsFlask,
        },
        p99AtHalfMaxRateMs: {
          target: TARGETS.p99Ms,
          measured: s.halfRate?.p99Ms ?? null,
          met: s.halfRate !== null && s.halfRate.p99Ms < TARGETS.p99Ms,
        },
        batchRowsPerSecond: {
          target: TARGETS.batchRowsPerSecond,
          measured: Math.round(s.batch100.rowsPerSecond),
          met: s.batch100.rowsPerSecond >= TARGETS.batchRowsPerSecond,
        },
      };
      console.log(`  ratios: ${JSON.stringify(ratios)}`);
      console.log(`  targets: ${JSON.stringify(targets)}`);
      return {
        // Other work on the machine skews absolute numbers; the ratios come from the same run.
        loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
        machine: {
          cpus: os.availableParallelism(),
          cpuModel: os.cpus()[0]?.model ?? 'unknown',
          node: process.version,
        },
        setup: {
          workers: WORKERS,
          model:
            'regression tree, max depth 8, trained on the UCI red+white data (ours: wine-cart; Flask: sklearn DecisionTreeRegressor)',
          wrk: `-t2 -c64 -d${SECONDS}s`,
          latency: `open-loop constant rate = half the single-record max over 64 keep-alive sockets, ${SECONDS}s, latency from each request's due time (wrk2-style); not measured for gunicorn sync workers (no keep-alive)`,
          batchRows: BATCH,
        },
        results: { service: s, 'node-http-ceiling': c, 'flask-gunicorn-sklearn': f },
        ratios,
        targets,
      };
    } finally {
      for (const server of running) await server.stop();
      await rm(work, { recursive: true, force: true });
    }
  },
};
