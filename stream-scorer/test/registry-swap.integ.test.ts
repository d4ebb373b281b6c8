/**
 * Acceptance with a real MLflow server (PostgreSQL backend) and the built scorer serving
 * `models:/wine-quality@champion`, polling every second: entries keep arriving while the
 * champion alias moves from v1 to v2. Every entry is scored, none fails, the output switches
 * from version 1 to version 2 once and for good, and each prediction is its version's.
 * ≈ 30–60 s, most of it MLflow starting.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readModelDir } from '@wine/model';
import type { WineRecord } from '@wine/model';
import type { Redis } from 'ioredis';
import { createMlflowClient } from 'mlflow-ts-client';
import type { MlflowClient } from 'mlflow-ts-client';
import { missingMlflow, startMlflowServer } from '../../packages/mlflow-client/test/real-services';
import type { MlflowServer } from '../../packages/mlflow-client/test/real-services';
import { writeTinyModel } from '../../prediction-service/test/fixtures';
import {
  addEntries,
  connect,
  describeWithRedis,
  dropStreams,
  drained,
  readStream,
  recordEntries,
  uniqueStreams,
  wines,
} from './redis';
import type { TestStreams } from './redis';
import { SCORER_MAIN, startScorer } from './scorer-process';
import type { ScorerProcess } from './scorer-process';

const NAME = 'wine-quality';
const POLL_S = 1;

function missing(): string[] {
  const out = missingMlflow();
  if (!existsSync(SCORER_MAIN)) out.push('stream-scorer/dist/main.js missing: run `pnpm build`');
  return out;
}

describeWithRedis(
  'the registry champion moves during a stream run',
  () => {
    let server: MlflowServer;
    let mlflow: MlflowClient;
    let work: string;
    let redis: Redis;
    let streams: TestStreams;
    let scorer: ScorerProcess | undefined;
    const dirs = { v1: '', v2: '' };

    /** Logs a tiny model as a run's model and registers it; returns its version. */
    const register = async (dir: string): Promise<string> => {
      const experiment = await mlflow.getOrCreateExperiment({ name: 'stream-swap' });
      const { info } = await mlflow.createRun({ experimentId: experiment.experimentId });
      const logged = await mlflow.logModel({
        runId: info.runId,
        name: 'model',
        writeArtifacts: () => Promise.resolve(dir),
      });
      return (await mlflow.registerModel(`models:/${logged.modelId}`, NAME)).version;
    };

    beforeAll(async () => {
      work = await mkdtemp(path.join(os.tmpdir(), 'wine-stream-swap-'));
      dirs.v1 = path.join(work, 'v1');
      dirs.v2 = path.join(work, 'v2');
      await writeTinyModel(dirs.v1, { seed: 1, maxDepth: 3 });
      await writeTinyModel(dirs.v2, { seed: 2, maxDepth: 6 });
      redis = connect();
      streams = uniqueStreams('swap');
      server = await startMlflowServer();
      mlflow = createMlflowClient({ trackingUri: server.url, retries: 1, timeoutMs: 30_000 });
    }, 240_000);

    afterAll(async () => {
      await scorer?.kill('SIGKILL');
      await (server as MlflowServer | undefined)?.stop();
      await dropStreams(redis, streams);
      await redis.quit();
      if (work) await rm(work, { recursive: true, force: true });
    }, 60_000);

    it('later predictions carry the new version, with zero failed entries', async () => {
      expect(await register(dirs.v1)).toBe('1');
      expect(await register(dirs.v2)).toBe('2');
      await mlflow.setAlias(NAME, 'champion', '1');
      scorer = await startScorer(streams, 'swap', {
        MODEL_URI: `models:/${NAME}@champion`,
        MLFLOW_TRACKING_URI: server.url,
        MODEL_POLL_INTERVAL_S: String(POLL_S),
        STREAM_BATCH_SIZE: '50',
      });
      const pool = wines(400, 7);
      const ids: string[] = [];
      const records = new Map<string, WineRecord>();
      const produce = async (n: number): Promise<void> => {
        const batch = Array.from({ length: n }, (_, i) => pool[(ids.length + i) % pool.length]!);
        const added = await addEntries(redis, streams.input, recordEntries(batch));
        added.forEach((id, i) => records.set(id, batch[i]!));
        ids.push(...added);
      };
      const tick = () => new Promise((r) => setTimeout(r, 100));

      // A steady trickle on v1 ...
      for (let i = 0; i < 10; i++) {
        await produce(40);
        await tick();
      }
      // ... the champion moves while entries keep coming, until v2 answers ...
      await mlflow.setAlias(NAME, 'champion', '2');
      const movedAt = Date.now();
      let firstV2At: number | undefined;
      while (firstV2At === undefined) {
        await produce(40);
        await tick();
        const tail = await redis.xrevrange(streams.output, '+', '-', 'COUNT', 1);
        // Fields: input_id, <id>, prediction, <p>, model_version, <v>.
        if (tail[0]?.[1][5] === '2') firstV2At = Date.now();
        if (Date.now() - movedAt > 30_000) throw new Error('v2 never served');
      }
      // ... and a while longer on v2.
      for (let i = 0; i < 10; i++) {
        await produce(40);
        await tick();
      }
      await drained(redis, streams, 30_000);

      const outputs = await readStream(redis, streams.output);
      expect(await redis.xlen(streams.deadLetter)).toBe(0);
      expect(outputs.map((o) => o.fields['input_id']).sort()).toEqual([...ids].sort());
      const versions = outputs.map((o) => o.fields['model_version']);
      const switchAt = versions.indexOf('2');
      expect(switchAt).toBeGreaterThan(0);
      // One switch, for good: v1 before it, v2 from it on.
      expect(versions.slice(0, switchAt).every((v) => v === '1')).toBe(true);
      expect(versions.slice(switchAt).every((v) => v === '2')).toBe(true);
      // Each prediction is its version's model's.
      const models = {
        '1': (await readModelDir(dirs.v1)).model,
        '2': (await readModelDir(dirs.v2)).model,
      };
      let differing = 0;
      for (const o of outputs) {
        const wine = records.get(o.fields['input_id']!)!;
        const version = o.fields['model_version'] as '1' | '2';
        const [expected] = models[version].predictRecords([wine]);
        expect(Number(o.fields['prediction'])).toBe(expected);
        if (models['1'].predictRecords([wine])[0] !== models['2'].predictRecords([wine])[0]) {
          differing++;
        }
      }
      expect(differing).toBeGreaterThan(outputs.length / 10);
      expect(await scorer.metric('wine_stream_errors_total', '{operation="score"}')).toBe(0);
      expect(await scorer.metric('wine_model_reloads_total', '{result="swapped"}')).toBe(2);
      console.info(
        `champion moved after ${switchAt} outputs; v2 served ${(firstV2At - movedAt) / 1000} s after the alias moved (poll ${POLL_S} s)`,
      );
      expect((await scorer.kill('SIGTERM')).code).toBe(0);
    }, 120_000);
  },
  missing(),
);
