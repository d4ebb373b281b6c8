/**
 * The monitor's loop: a run now, then one every interval (the next starts only after the
 * previous finished, so slow runs never pile up). A run that cannot read the prediction log
 * keeps the last published drift values, marks PostgreSQL down and retries next interval;
 * MonitorStale alerts on the age of the last success.
 */
import { describePgError, isDbError } from '@wine/db';
import type { Pool } from '@wine/db';
import type { Logger } from 'pino';
import type { MonitorMetrics } from './metrics';
import { runMonitor } from './monitor-run';
import type { RunResult, RunSettings } from './monitor-run';
import { publishRun } from './publish';
import type { ReferenceResolver } from './reference-resolver';

export interface MonitorDeps {
  readonly db: Pick<Pool, 'query'>;
  readonly resolver: ReferenceResolver;
  readonly metrics: MonitorMetrics;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  readonly settings: RunSettings;
  readonly intervalS: number;
  readonly rmseThreshold: number;
  /** Whether MLflow is configured (its dependency gauge is only exported then). */
  readonly mlflowConfigured: boolean;
}

export interface Monitor {
  /** Runs once now and schedules the next runs. */
  start(): void;
  /** One run, published; resolves with its result (or the error message). */
  runOnce(): Promise<RunResult | { error: string }>;
  last(): RunResult | undefined;
  stop(): Promise<void>;
}

export function createMonitor(deps: MonitorDeps): Monitor {
  const { metrics, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  let last: RunResult | undefined;
  let lastProblem = '';
  metrics.interval.set(deps.intervalS);
  metrics.liveRmseThreshold.set(deps.rmseThreshold);
  metrics.lastSuccess.set(0);
  for (const result of ['ok', 'partial', 'error']) metrics.runs.inc({ result }, 0);

  function note(problem: string, log: () => void): void {
    // One line per change of state, not one per run.
    if (problem !== lastProblem) log();
    lastProblem = problem;
  }

  async function runOnce(): Promise<RunResult | { error: string }> {
    const end = metrics.runDuration.startTimer();
    metrics.lastRun.set(Date.now() / 1000);
    try {
      const result = await runMonitor({ db: deps.db, resolver: deps.resolver }, deps.settings);
      publishRun(metrics, result);
      last = result;
      metrics.dependencyUp.set({ dependency: 'postgres' }, 1);
      metrics.lastSuccess.set(Date.now() / 1000);
      const problem = result.driftProblem;
      if (deps.mlflowConfigured) {
        metrics.dependencyUp.set(
          { dependency: 'mlflow' },
          problem?.dependency === 'mlflow' ? 0 : 1,
        );
      }
      metrics.runs.inc({ result: problem === undefined ? 'ok' : 'partial' });
      if (problem !== undefined) {
        note(problem.message, () => {
          logger.warn(
            { model: result.model, reason: problem.message },
            'monitor: no drift for the served model (live error still computed)',
          );
        });
      } else {
        note('', () => {
          logger.info({ model: result.model?.version ?? null }, 'monitor: runs complete again');
        });
      }
      logger.debug(
        {
          model: result.model?.version ?? null,
          window_rows: result.windowRows,
          status: result.drift?.status ?? null,
          drift_share: result.drift?.drift_share ?? null,
          dataset_drift: result.drift?.dataset_drift ?? null,
        },
        'monitor run',
      );
      return result;
    } catch (error) {
      const message = isDbError(error) ? `${error.code}: ${error.message}` : describePgError(error);
      metrics.runs.inc({ result: 'error' });
      if (!isDbError(error) || error.code === 'DB_UNREACHABLE')
        metrics.dependencyUp.set({ dependency: 'postgres' }, 0);
      note(message, () => {
        logger.error(
          { reason: message },
          'monitor: run failed (prediction log unreadable); keeping the last values and retrying',
        );
      });
      return { error: message };
    } finally {
      end();
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().finally(schedule);
    }, deps.intervalS * 1000);
  }

  return {
    start() {
      running = runOnce().finally(schedule);
    },
    runOnce,
    last: () => last,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
