/**
 * Sources backed by a model directory on disk (MLmodel + model.json + input_example.json):
 * the bundled model shipped with this package and `MODEL_URI=file:<dir>`.
 */
import path from 'node:path';
import { FEATURE_NAMES, readModelDir } from '@wine/model';
import type { FeatureName, ModelDirectory } from '@wine/model';
import type { FeatureRange, ModelInfo, ModelSource, ServableModel } from './servable-model';

export const MODEL_NAME = 'wine-quality';

/** src/model and dist/model sit at the same depth, so this works under jest and from dist. */
export const BUNDLED_MODEL_DIR = path.resolve(__dirname, '..', '..', 'model');

export function createDirectorySource(
  dir: string,
  label = `file:${path.resolve(dir)}`,
): ModelSource {
  return {
    describe: () => label,
    load: async () => servableFromDirectory(await readModelDir(dir), label),
  };
}

export function createBundledSource(dir = BUNDLED_MODEL_DIR): ModelSource {
  return createDirectorySource(dir, 'bundled');
}

/** Registry identity an MLflow source puts on top of what the directory says. */
export type ServableOverrides = Partial<
  Pick<ModelInfo, 'name' | 'version' | 'alias' | 'runId' | 'modelId' | 'artifact'>
> & { readonly fingerprint?: string };

export function servableFromDirectory(
  md: ModelDirectory,
  source: string,
  overrides: ServableOverrides = {},
): ServableModel {
  const { fingerprint, ...identity } = overrides;
  const doc = md.document;
  const ranges: Partial<Record<FeatureName, FeatureRange>> = {};
  const profile = doc.reference?.features;
  if (profile !== undefined) {
    for (const name of FEATURE_NAMES) {
      const d = profile[name];
      if (d !== undefined && Number.isFinite(d.min) && Number.isFinite(d.max)) {
        ranges[name] = { min: d.min, max: d.max };
      }
    }
  }
  const model = md.model;
  return {
    info: {
      name: MODEL_NAME,
      version: `sha256:${md.sha256.slice(0, 12)}`,
      source,
      sha256: md.sha256,
      kind: model.kind,
      nTrees: model.nTrees,
      formatVersion: doc.formatVersion,
      features: doc.features.map((f) => f.name),
      training: { ...doc.training },
      loadedAt: new Date().toISOString(),
      ...identity,
    },
    ranges,
    inputExample: md.inputExample,
    predictRecords: (records) => model.predictRecords(records),
    predictMatrix: (x) => model.predict(x),
    ...(fingerprint === undefined ? {} : { fingerprint }),
  };
}
