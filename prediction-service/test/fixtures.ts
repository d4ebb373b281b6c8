/**
 * Test fixtures built from real components: a tiny tree trained by our learner on synthetic
 * wines and written as a real model directory, and the app wired with a real store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  computeReferenceProfile,
  createRng,
  EXAMPLE_WINE,
  encodeRecords,
  fitTree,
  targetsOf,
  writeModelDir,
} from '@wine/model';
import type { LabeledWineRecord, WineRecord } from '@wine/model';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { RequestListener } from 'node:http';
import type { Express } from 'express';
import { createApp, createManagementApp } from '../src/app';
import type { AppConfig, AppDeps } from '../src/app';
import { createMetrics } from '../src/metrics';
import type { ServiceMetrics } from '../src/metrics';
import { createDirectorySource } from '../src/model/directory-source';
import { createModelStore } from '../src/model/model-store';
import type { ModelStore } from '../src/model/model-store';
import { createNoopSink } from '../src/prediction-sink';
import { createRequestHandler } from '../src/request-handler';

/** Plausible wines; quality depends on alcohol and volatile acidity so the tree learns something. */
export function syntheticWines(n: number, seed = 1, shift = 0): LabeledWineRecord[] {
  const rng = createRng(seed);
  const u = (lo: number, hi: number): number => lo + (hi - lo) * rng.next();
  return Array.from({ length: n }, () => {
    const alcohol = u(8.5, 14) + shift;
    const volatile = u(0.1, 1.2);
    return {
      fixed_acidity: u(4, 12),
      volatile_acidity: volatile,
      citric_acid: u(0, 0.8),
      residual_sugar: u(0.8, 20),
      chlorides: u(0.01, 0.2),
      free_sulfur_dioxide: u(2, 70),
      total_sulfur_dioxide: u(8, 250),
      density: u(0.988, 1.003),
      ph: u(2.8, 3.9),
      sulphates: u(0.3, 1.2),
      alcohol,
      wine_type: rng.next() < 0.5 ? 'red' : 'white',
      quality: Math.round(3 + (alcohol - 8) * 0.5 - volatile * 1.5 + rng.next()),
    };
  });
}

export function stripTarget(record: LabeledWineRecord): WineRecord {
  const copy: Partial<LabeledWineRecord> = { ...record };
  delete copy.quality;
  return copy as WineRecord;
}

/** Trains a depth-limited tree on synthetic wines and writes a real model directory. */
export async function writeTinyModel(
  dir: string,
  options: { seed?: number; maxDepth?: number; shift?: number } = {},
): Promise<void> {
  const wines = syntheticWines(300, options.seed ?? 1, options.shift ?? 0);
  const x = encodeRecords(wines);
  const y = targetsOf(wines);
  const params = { maxDepth: options.maxDepth ?? 4, seed: 0 };
  const model = fitTree(x, y, params);
  const reference = computeReferenceProfile(x, model.predict(x), { target: y });
  const doc = model.toDocument({
    training: {
      kind: 'tree',
      params: { ...params },
      learner: { name: 'wine-cart', version: 'test' },
      nTrain: wines.length,
    },
    reference,
  });
  await writeModelDir(dir, doc, { inputExample: wines.slice(0, 3).map(stripTarget) });
}

export async function tempDir(
  prefix = 'wine-svc-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface TestApp {
  /** What the server runs: the scoring fast lane in front of Express. */
  app: RequestListener;
  /** The Express app alone, the reference the fast lane must match. */
  express: Express;
  /** The management port's app: /metrics, /model, /model/reload. */
  management: Express;
  store: ModelStore;
  metrics: ServiceMetrics;
  registry: Registry;
}

/** The app with a real store over `modelDir`; the first load has already happened. */
export async function buildTestApp(
  modelDir: string,
  config: Partial<AppConfig> = {},
  options: {
    defaultMetrics?: boolean;
    /** Builds the sink and feedback store (e.g. the PostgreSQL log) from the app's metrics. */
    log?: (metrics: ServiceMetrics) => Pick<AppDeps, 'sink' | 'feedback'>;
  } = {},
): Promise<TestApp> {
  const registry = new Registry();
  const metrics = createMetrics(registry, { defaultMetrics: options.defaultMetrics ?? false });
  const log = options.log?.(metrics) ?? { sink: createNoopSink() };
  const logger = pino({ level: 'silent' });
  const store = createModelStore({ source: createDirectorySource(modelDir), metrics, logger });
  await store.reload();
  const deps: AppDeps = {
    store,
    metrics,
    ...log,
    logger,
    config: { adminToken: undefined, maxBodyBytes: 1024 * 1024, maxBatchRows: 10_000, ...config },
  };
  return {
    app: createRequestHandler(deps),
    express: createApp(deps),
    management: createManagementApp(deps),
    store,
    metrics,
    registry,
  };
}

/** A valid record (red wine from the UCI data's first row). */
export const GOOD: WineRecord = { ...EXAMPLE_WINE };
