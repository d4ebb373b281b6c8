/**
 * The train command's workflow: load → split → search → refit best → profile → write.
 * IO arrives through `deps`, so tests run it on real files in a temp dir and the CLI
 * only parses arguments and prints.
 */
import {
  computeReferenceProfile,
  datasetFingerprint,
  encodeRecords,
  fitForest,
  fitTree,
  LEARNER,
  regressionMetrics,
  runSearch,
  targetsOf,
  trainTestSplit,
  writeModelDir,
  type Candidate,
  type LabeledWineRecord,
  type Matrix,
  type RegressionMetrics,
  type SearchResult,
  type TrainingMetadata,
  type TreeEnsemble,
} from '@wine/model';
import type { DatasetInfo, SearchStart, TrackedSearch, Tracker } from '../tracking/tracker';
import { qualityCounts } from '../tracking/run-payloads';
import type { TrainOptions } from './train-options.schema';

export interface LoadedData {
  readonly records: LabeledWineRecord[];
  readonly rejected: number;
  readonly description: string;
}

export interface TrainDeps {
  /** Loads one data source; fails on the first invalid row unless `skipInvalid`. */
  loadDir(dir: string, skipInvalid: boolean): Promise<LoadedData>;
  loadCsv(file: string, skipInvalid: boolean): Promise<LoadedData>;
  onProgress?: (done: number, total: number, last: Candidate) => void;
  log(message: string): void;
  /** Experiment tracking; absent = tracking is off (the model directory is still written). */
  tracker?: Tracker;
}

export interface TrainOutcome {
  readonly search: SearchResult;
  readonly best: { params: Candidate['params']; metrics: RegressionMetrics };
  readonly output: string;
  readonly nTrain: number;
  readonly nTest: number;
  readonly rejected: number;
  readonly dataSha256: string;
  readonly featureImportances: Record<string, number>;
  readonly model: TreeEnsemble;
  /** The test rows (the holdout set `register` compares models on). */
  readonly test: LabeledWineRecord[];
  readonly tracked?: TrackedSearch;
}

export interface Split {
  readonly train: LabeledWineRecord[];
  readonly test: LabeledWineRecord[];
  readonly rejected: number;
  /** Where train and test came from (a directory, or the two CSV paths). */
  readonly sources: { readonly train: string; readonly test: string };
}

export type SplitOptions = Pick<
  TrainOptions,
  'data' | 'train' | 'test' | 'testSize' | 'seed' | 'skipInvalid'
>;

/** The seeded, stratified split (or the given files): `register` reuses it to get the same holdout. */
export async function loadSplit(
  options: SplitOptions,
  deps: Pick<TrainDeps, 'loadDir' | 'loadCsv'>,
  defaultDataDir: string,
): Promise<Split> {
  if (options.train !== undefined && options.test !== undefined) {
    const [train, test] = await Promise.all([
      deps.loadCsv(options.train, options.skipInvalid),
      deps.loadCsv(options.test, options.skipInvalid),
    ]);
    return {
      train: train.records,
      test: test.records,
      rejected: train.rejected + test.rejected,
      sources: { train: train.description, test: test.description },
    };
  }
  const all = await deps.loadDir(options.data ?? defaultDataDir, options.skipInvalid);
  // Stratify on quality so rare scores (3, 9) land on both sides like sklearn's stratified split.
  const { train, test } = trainTestSplit(all.records.length, {
    testFraction: options.testSize,
    seed: options.seed,
    stratify: all.records.map((r) => r.quality),
  });
  const pick = (idx: Int32Array): LabeledWineRecord[] =>
    Array.from(idx, (i) => all.records[i]).filter((r): r is LabeledWineRecord => r !== undefined);
  return {
    train: pick(train),
    test: pick(test),
    rejected: all.rejected,
    sources: { train: all.description, test: all.description },
  };
}

function searchStart(options: TrainOptions, split: Split, dataSha256: string): SearchStart {
  const dataset = (
    side: 'train' | 'test',
    rows: LabeledWineRecord[],
    context: DatasetInfo['context'],
  ): DatasetInfo => ({
    name: `wine-quality-${side}`,
    source: split.sources[side],
    sha256: datasetFingerprint(rows),
    rows: rows.length,
    context,
    qualityCounts: qualityCounts(rows.map((r) => r.quality)),
  });
  return {
    kind: options.model,
    dataSha256,
    datasets: [dataset('train', split.train, 'training'), dataset('test', split.test, 'eval')],
    options: {
      model_kind: options.model,
      search: options.search,
      ...(options.search === 'random' ? { n_iter: options.nIter } : {}),
      validation: options.cv === undefined ? 'holdout' : `${options.cv}-fold`,
      ...(options.train === undefined ? { test_size: options.testSize } : {}),
      seed: options.seed,
      n_train: split.train.length,
      n_test: split.test.length,
      rejected_rows: split.rejected,
    },
  };
}

function fitFinal(
  kind: TrainOptions['model'],
  x: Matrix,
  y: Float64Array,
  params: Candidate['params'],
): TreeEnsemble {
  return kind === 'forest' ? fitForest(x, y, params) : fitTree(x, y, params);
}

export async function runTraining(
  options: TrainOptions,
  deps: TrainDeps,
  defaultDataDir: string,
): Promise<TrainOutcome> {
  const split = await loadSplit(options, deps, defaultDataDir);
  const xTrain = encodeRecords(split.train);
  const yTrain = targetsOf(split.train);
  const xTest = encodeRecords(split.test);
  const yTest = targetsOf(split.test);
  deps.log(
    `data: ${split.train.length} train rows, ${split.test.length} test rows, ${split.rejected} rejected`,
  );

  const dataSha256 = datasetFingerprint([...split.train, ...split.test]);
  // Before the search: a wrong tracking URI fails in a second, not after the training.
  const tracking = await deps.tracker?.startSearch(searchStart(options, split, dataSha256));
  try {
    const search = await runSearch({
      kind: options.model,
      train: { x: xTrain, y: yTrain },
      validation: options.cv === undefined ? { x: xTest, y: yTest } : { kFold: options.cv },
      strategy: options.search === 'grid' ? 'grid' : { random: options.nIter },
      seed: options.seed,
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      ...(deps.onProgress === undefined ? {} : { onProgress: deps.onProgress }),
    });

    const model = fitFinal(options.model, xTrain, yTrain, search.best.params);
    const testPredictions = model.predict(xTest);
    const testMetrics = regressionMetrics(yTest, testPredictions);
    const featureImportances = model.featureImportances();
    const training: TrainingMetadata = {
      kind: options.model,
      params: { ...search.best.params },
      learner: { ...LEARNER },
      dataSha256,
      nTrain: split.train.length,
      metrics: { test: testMetrics },
      featureImportances,
    };
    const reference = computeReferenceProfile(xTrain, model.predict(xTrain), { target: yTrain });
    const document = model.toDocument({ training, reference });
    const inputExample = split.test.slice(0, 5).map(stripQuality);
    await writeModelDir(options.output, document, { inputExample });
    const tracked = await tracking?.complete({
      candidates: search.candidates,
      best: search.best,
      testMetrics,
      searchSeconds: search.seconds,
      document,
      inputExample,
      actual: yTest,
      predicted: testPredictions,
      featureImportances,
    });
    return {
      search,
      best: { params: search.best.params, metrics: testMetrics },
      output: options.output,
      nTrain: split.train.length,
      nTest: split.test.length,
      rejected: split.rejected,
      dataSha256,
      featureImportances,
      model,
      test: split.test,
      ...(tracked === undefined ? {} : { tracked }),
    };
  } catch (error) {
    await tracking?.fail(error instanceof Error ? error.message : String(error));
    throw error;
  }
}

function stripQuality(record: LabeledWineRecord): Omit<LabeledWineRecord, 'quality'> {
  const { quality: _quality, ...features } = record;
  return features;
}
