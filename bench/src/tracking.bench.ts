/**
 * `pnpm run bench tracking`: logging a search's 100 candidate runs to a local MLflow server
 * started as the stack starts it — mlflow/entrypoint.py (basic-auth app with its auth cache),
 * PostgreSQL backend, 2 workers (docker-compose.yml), every request authenticated. Three
 * clients log the same 100 runs — same bodies, same 8 runs in flight — in rounds whose order
 * rotates, so the ratios come from one run on the same server:
 *   - ours: logCandidateRuns, the code the train CLI runs (runs/create, log-batch, update);
 *   - floor: a minimal node:http keep-alive client replaying the very requests ours sent
 *     (the server's own rate: nothing a client can do needs fewer calls);
 *   - python: MLflow's MlflowClient (create_run, log_batch, set_terminated) on 8 threads;
 *   - mlflowDefault: ours again, against a second server that is MLflow's default
 *     (`mlflow server`'s uvicorn + FastAPI app instead of the stack's gunicorn, same entry
 *     point, auth and database settings): what the stack's server configuration is worth,
 *     measured beside it, whatever the machine's speed.
 * Every round is read back: 100 FINISHED runs under the round's parent with every param,
 * metric and tag. Goal (issue 14): ours < 2 s and close to the floor. Each round also records
 * CPU seconds from /proc — MLflow's processes, the PostgreSQL backends of its database, the
 * client — which say what 100 runs cost the server whatever the machine's load (on a loaded
 * machine wall times stretch, the ratios and CPU seconds hold). The train CLI's own candidate
 * logging (overlapping the model and plot uploads) is reported too.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LEARNER } from '@wine/model';
import {
  candidateMetrics,
  candidateParams,
  DEFAULT_CANDIDATE_CONCURRENCY,
  logCandidateRuns,
  WINE_TAGS,
} from '@wine/training-scripts';
import { createMlflowClient, SYSTEM_TAGS, type MlflowClient } from 'mlflow-ts-client';
import { dataDir, machine, median, ROOT, round } from './learner/common';
import type { Benchmark, HeadlineRow } from './registry';
import { defaultSearchCandidates } from './tracking/candidates';
import { createFloorClient, createRecorder, type RecordedRun } from './tracking/floor-client';
import { startLocalMlflow, type LocalMlflow } from './tracking/mlflow-server';

const run = promisify(execFile);
const ROUNDS = Number(process.env['BENCH_REPEATS'] ?? 5);
const GOAL_SECONDS = 2;
const FLOOR_GOAL = 1.1;
/** docker-compose.yml's `mlflow` service: `command: [--workers, '2']`. */
const SERVER_WORKERS = 2;
const CONCURRENCY = DEFAULT_CANDIDATE_CONCURRENCY;
const CANDIDATES = 100;

type Side = 'ours' | 'floor' | 'python' | 'mlflowDefault';
/**
 * MLflow's own default server, the alternative to the stack's: `mlflow server` runs uvicorn
 * with the FastAPI app wrapping the Flask one. Through the same entry point (basic auth, the
 * same PostgreSQL and artifact settings); an explicit --uvicorn-opts replaces the stack's
 * gunicorn options, and `--loop auto` is uvicorn's own default.
 */
const MLFLOW_DEFAULT_SERVER_ARGS = ['--uvicorn-opts', '--loop auto'];

interface TrainJson {
  tracking: { candidateLogSeconds: number; childRuns: number } | null;
}

interface PythonReply {
  available: boolean;
  reason?: string;
  seconds?: number;
  runs?: number;
  mlflow?: string;
  cpuSeconds?: number;
}

/** The runs/create, log-batch and update bodies of one run, as the Python peer needs them. */
function pythonRuns(runs: readonly RecordedRun[]): unknown[] {
  return runs.map((r) => {
    const create = JSON.parse(r.create.body) as {
      experiment_id: string;
      run_name: string;
      start_time: number;
      tags: { key: string; value: string }[];
    };
    const bodies = r.rest.map((x) => ({ path: x.path, body: JSON.parse(x.body) as unknown }));
    const batch = bodies.find((x) => x.path.endsWith('/runs/log-batch'))?.body as {
      params: { key: string; value: string }[];
      metrics: unknown[];
    };
    const update = bodies.find((x) => x.path.endsWith('/runs/update'))?.body as {
      end_time: number;
    };
    return {
      experiment_id: create.experiment_id,
      run_name: create.run_name,
      start_time: create.start_time,
      end_time: update.end_time,
      tags: Object.fromEntries(
        create.tags.filter((t) => t.key !== SYSTEM_TAGS.parentRunId).map((t) => [t.key, t.value]),
      ),
      params: Object.fromEntries(batch.params.map((p) => [p.key, p.value])),
      metrics: batch.metrics,
    };
  });
}

/** Every candidate's run is there, FINISHED, with all its params, metrics and tags. */
async function verifyRound(
  client: MlflowClient,
  experimentId: string,
  parentRunId: string,
  tags: Readonly<Record<string, string>>,
  side: Side,
): Promise<void> {
  const candidates = defaultSearchCandidates();
  const runs = await client.searchAllRuns({
    experimentIds: [experimentId],
    filter: `tags.${SYSTEM_TAGS.parentRunId} = '${parentRunId}'`,
  });
  const byName = new Map(runs.map((r) => [r.info.runName, r]));
  const problems: string[] = [];
  if (runs.length !== CANDIDATES) problems.push(`${runs.length} runs`);
  for (const c of candidates) {
    const name = `candidate-${String(c.index).padStart(2, '0')}`;
    const r = byName.get(name);
    if (r === undefined) {
      problems.push(`${name} missing`);
      continue;
    }
    if (r.info.status !== 'FINISHED') problems.push(`${name} ${r.info.status}`);
    const params = candidateParams(c.params, 'tree');
    for (const [k, v] of Object.entries(params))
      if (r.data.params[k] !== v) problems.push(`${name} param ${k}`);
    for (const m of candidateMetrics(c, 0)) {
      const got = r.data.metrics.find((x) => x.key === m.key);
      if (got === undefined || Math.abs(got.value - m.value) > 1e-12)
        problems.push(`${name} metric ${m.key}`);
    }
    for (const [k, v] of Object.entries(tags))
      if (r.data.tags[k] !== v) problems.push(`${name} tag ${k}`);
  }
  if (problems.length > 0) {
    throw new Error(`${side}: logged runs incomplete: ${problems.slice(0, 10).join(', ')}`);
  }
}

export const trackingBenchmark: Benchmark = {
  name: 'tracking',
  python: true,
  description:
    'log a search’s 100 candidate runs to MLflow (PostgreSQL): ours vs a minimal client and MlflowClient',
  async run() {
    const server = await startLocalMlflow({ workers: SERVER_WORKERS, stackEntrypoint: true });
    const defaultServer = await startLocalMlflow({
      workers: SERVER_WORKERS,
      stackEntrypoint: true,
      serverArgs: MLFLOW_DEFAULT_SERVER_ARGS,
    }).catch(async (error: unknown) => {
      await server.stop();
      throw error;
    });
    const { credentials } = server;
    const authFor = (c: LocalMlflow['credentials']) =>
      c === undefined ? {} : { credentials: () => Promise.resolve(c) };
    const auth = authFor(credentials);
    const authEnv =
      credentials === undefined
        ? {}
        : {
            MLFLOW_TRACKING_USERNAME: credentials.username,
            MLFLOW_TRACKING_PASSWORD: credentials.password,
          };
    const out = await mkdtemp(path.join(os.tmpdir(), 'bench-tracking-'));
    const floor = createFloorClient(server.url, CONCURRENCY, credentials);
    try {
      const client = createMlflowClient({ trackingUri: server.url, ...auth });
      const defaultClient = createMlflowClient({
        trackingUri: defaultServer.url,
        ...authFor(defaultServer.credentials),
      });
      const recorder = createRecorder();
      const recording = createMlflowClient({
        trackingUri: server.url,
        fetch: recorder.fetch,
        ...auth,
      });
      const { experimentId } = await client.getOrCreateExperiment({ name: 'bench-tracking' });
      const { experimentId: defaultExperimentId } = await defaultClient.getOrCreateExperiment({
        name: 'bench-tracking',
      });
      /** The server a side logs to, its client and experiment. */
      const target = (side: Side) =>
        side === 'mlflowDefault'
          ? { server: defaultServer, client: defaultClient, experimentId: defaultExperimentId }
          : { server, client, experimentId };
      const candidates = defaultSearchCandidates();
      const tags = {
        [SYSTEM_TAGS.sourceName]: 'training-scripts/train',
        [SYSTEM_TAGS.sourceType]: 'LOCAL',
        [SYSTEM_TAGS.user]: 'bench',
        [WINE_TAGS.learnerName]: LEARNER.name,
        [WINE_TAGS.learnerVersion]: LEARNER.version,
        [WINE_TAGS.dataSha256]: '0'.repeat(64),
        [WINE_TAGS.modelKind]: 'tree',
      };
      const readBack = { ...tags, [WINE_TAGS.role]: 'candidate' };
      let parents = 0;
      const newParent = async (side: string, on = target('ours')): Promise<string> => {
        const parent = await on.client.createRun({
          experimentId: on.experimentId,
          runName: `${side}-${++parents}`,
          tags: { ...tags, [WINE_TAGS.role]: 'search' },
        });
        return parent.info.runId;
      };
      const logOurs = async (with_: MlflowClient, parentRunId: string, into = experimentId) =>
        logCandidateRuns(
          {
            client: with_,
            experimentId: into,
            parentRunId,
            kind: 'tree',
            tags,
            startedAt: Date.now(),
            concurrency: CONCURRENCY,
          },
          candidates,
        );

      // Warm-up: ours through the recorder (the floor's script), then one floor replay.
      const recordedParent = await newParent('warm-up');
      const recorded = recorder.runs((await logOurs(recording, recordedParent)).runIds);
      await verifyRound(client, experimentId, recordedParent, readBack, 'ours');
      await floor.replay(recorded, await newParent('warm-up-floor'), recordedParent);
      const warmUpDefault = await newParent('warm-up', target('mlflowDefault'));
      await logOurs(defaultClient, warmUpDefault, defaultExperimentId);
      const runsJson = path.join(out, 'runs.json');
      await writeFile(runsJson, JSON.stringify(pythonRuns(recorded)));
      // BENCH_PYTHON (needs mlflow), else the Python of the venv the server runs from.
      const python = process.env['BENCH_PYTHON'] || path.join(path.dirname(server.bin), 'python');
      const script = path.join(ROOT, 'bench', 'python', 'mlflow_log_runs.py');

      let pythonVersion = 'unknown';
      let pythonCpu = Number.NaN;
      const sides: Record<Side, (parent: string) => Promise<number>> = {
        ours: async (parent) => (await logOurs(client, parent)).seconds,
        mlflowDefault: async (parent) =>
          (await logOurs(defaultClient, parent, defaultExperimentId)).seconds,
        floor: (parent) => floor.replay(recorded, parent, recordedParent),
        python: async (parent) => {
          const { stdout } = await run(
            python,
            [script, server.url, runsJson, parent, String(CONCURRENCY)],
            { env: { ...process.env, ...authEnv }, maxBuffer: 1 << 20 },
          );
          const reply = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as PythonReply;
          if (!reply.available || reply.seconds === undefined) {
            throw new Error(`Python MlflowClient peer unavailable: ${reply.reason ?? stdout}`);
          }
          pythonVersion = reply.mlflow ?? pythonVersion;
          pythonCpu = reply.cpuSeconds ?? Number.NaN;
          return reply.seconds;
        },
      };
      const order: Side[] = ['ours', 'floor', 'python', 'mlflowDefault'];
      const rounds: Record<Side, number>[] = [];
      const cpuOf = () => ({
        mlflow: [] as number[],
        postgres: [] as number[],
        client: [] as number[],
      });
      const cpu: Record<Side, ReturnType<typeof cpuOf>> = {
        ours: cpuOf(),
        floor: cpuOf(),
        python: cpuOf(),
        mlflowDefault: cpuOf(),
      };
      for (let r = 0; r < ROUNDS; r++) {
        const row = {} as Record<Side, number>;
        for (let k = 0; k < order.length; k++) {
          const side = order[(r + k) % order.length] as Side;
          const on = target(side);
          const parent = await newParent(side, on);
          const serverBefore = on.server.cpuSeconds();
          const clientBefore = process.cpuUsage();
          row[side] = round(await sides[side](parent), 3);
          const clientUsed = process.cpuUsage(clientBefore);
          const serverAfter = on.server.cpuSeconds();
          cpu[side].mlflow.push(serverAfter.mlflow - serverBefore.mlflow);
          // A backend that exits during the round takes its ticks along: a lower bound.
          cpu[side].postgres.push(Math.max(0, serverAfter.postgres - serverBefore.postgres));
          cpu[side].client.push(
            side === 'python' ? pythonCpu : (clientUsed.user + clientUsed.system) / 1e6,
          );
          await verifyRound(on.client, on.experimentId, parent, readBack, side);
        }
        rounds.push(row);
        process.stdout.write(
          `  round ${r + 1}/${ROUNDS}: ours ${row.ours.toFixed(2)} s, floor ${row.floor.toFixed(2)} s, ` +
            `MlflowClient ${row.python.toFixed(2)} s, ours on MLflow's default server ` +
            `${row.mlflowDefault.toFixed(2)} s (100 runs each, all read back)\n`,
        );
      }

      // The train CLI as a user runs it: its candidate logging overlaps the model/plot uploads.
      const trainCli = path.join(ROOT, 'training-scripts', 'dist', 'cli', 'train.js');
      const { stdout } = await run(
        process.execPath,
        [trainCli, '--data', dataDir(), '--output', path.join(out, 'model'), '--json'],
        {
          env: { ...process.env, ...authEnv, MLFLOW_TRACKING_URI: server.url },
          maxBuffer: 1 << 24,
        },
      );
      const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as TrainJson;
      if (summary.tracking === null || summary.tracking.childRuns !== CANDIDATES) {
        throw new Error(`expected 100 tracked candidate runs, got ${stdout.slice(-300)}`);
      }

      const med = (side: Side) => round(median(rounds.map((x) => x[side])), 3);
      const ratio = (side: Side) => round(median(rounds.map((x) => x.ours / x[side])), 2);
      const ours = med('ours');
      const where = `${SERVER_WORKERS} server workers (PostgreSQL, basic auth), ${CONCURRENCY} runs in flight each`;
      const headline: HeadlineRow[] = [
        {
          id: 'tracking.100-runs',
          label: 'log a search’s 100 candidate runs to MLflow (create, log-batch, finish each)',
          ours: { value: ours, unit: 's' },
          goal: { op: '<', value: GOAL_SECONDS, text: `< ${GOAL_SECONDS} s` },
          threads: where,
        },
        {
          id: 'tracking.vs-server-floor',
          label: 'the same 100 runs: ours ÷ the server’s floor (a minimal client, same requests)',
          ours: { value: ours, unit: 's' },
          peer: {
            name: 'node:http keep-alive client replaying our 300 requests',
            value: med('floor'),
            unit: 's',
          },
          ratio: { value: ratio('floor'), meaning: 'of the time' },
          goal: { op: '<=', value: FLOOR_GOAL, text: `≤ ${FLOOR_GOAL}× (the server is the limit)` },
          threads: where,
        },
        {
          id: 'tracking.vs-python-client',
          label: 'the same 100 runs: ours ÷ MLflow’s Python MlflowClient',
          ours: { value: ours, unit: 's' },
          peer: {
            name: `MlflowClient (mlflow ${pythonVersion}), ${CONCURRENCY} threads`,
            value: med('python'),
            unit: 's',
          },
          ratio: { value: ratio('python'), meaning: 'of the time' },
          threads: where,
        },
        {
          id: 'tracking.vs-mlflow-default-server',
          label:
            'the same 100 runs, our client: the stack’s MLflow server ÷ MLflow’s default server',
          ours: { value: ours, unit: 's' },
          peer: {
            name: `mlflow server (uvicorn + FastAPI, mlflow ${pythonVersion}), same auth and database`,
            value: med('mlflowDefault'),
            unit: 's',
          },
          ratio: { value: ratio('mlflowDefault'), meaning: 'of the time' },
          threads: where,
        },
      ];
      return {
        machine: machine(),
        server: {
          url: server.url,
          startupSeconds: round(server.startupSeconds, 2),
          workers: server.workers,
          backend:
            'mlflow/entrypoint.py as the stack runs it: basic-auth app (credential cache 60 s), ' +
            'gunicorn with gunicorn.conf.py (threaded workers, connections spread over them), ' +
            'PostgreSQL (fresh database), artifacts proxied to a temp dir',
          mlflowDefault:
            'the same entry point with --uvicorn-opts "--loop auto": mlflow server’s default ' +
            'uvicorn + FastAPI app, its own fresh database',
        },
        candidates: CANDIDATES,
        concurrency: CONCURRENCY,
        requestsPerRun: 3,
        // The MlflowClient peer's interpreter (not necessarily environment.python's default).
        pythonPeer: { interpreter: python, mlflow: pythonVersion },
        rounds,
        // CPU seconds per 100 runs (medians): MLflow's server workers, the PostgreSQL backends
        // of its database, and the client — what each side costs, whatever the machine's load.
        cpuSeconds: Object.fromEntries(
          (Object.keys(cpu) as Side[]).map((side) => [
            side,
            {
              mlflow: round(median(cpu[side].mlflow), 3),
              postgres: round(median(cpu[side].postgres), 3),
              client: round(median(cpu[side].client), 3),
            },
          ]),
        ),
        medianSeconds: {
          ours,
          floor: med('floor'),
          python: med('python'),
          mlflowDefault: med('mlflowDefault'),
        },
        trainCli: { candidateLogSeconds: summary.tracking.candidateLogSeconds },
        goalSeconds: GOAL_SECONDS,
        meetsGoal: ours < GOAL_SECONDS,
        headline,
      };
    } finally {
      floor.close();
      await rm(out, { recursive: true, force: true });
      await server.stop();
      await defaultServer.stop();
    }
  },
};
