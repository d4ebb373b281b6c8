/**
 * The train command's workflow: load → split (train / validation / holdout) → search →
 * refit best → measure on the holdout → profile → write.
 * IO arrives through `deps`, so tests run it on real files in a temp dir and the CLI
 * only parses arguments and prints.
 */
import {
  canonicalParams,
  computeDriftReference,
  datasetFingerprint,
  encodeRecords,
  fitForest,
  ModelError,
  fitTree,
  LEARNER,
  regressionMetrics,
  runSearch,
  targetsOf,
  writeModelDir,
  type Candidate,
  type LabeledWineRecord,
  type Matrix,
  type ParamSpace,
  type RegressionMetrics,
  type SearchResult,
  type TrainingMetadata,
  type TreeEnsemble,
} from '@wine/model';
import type { DatasetInfo, SearchStart, TrackedSearch, Tracker } from '../tracking/tracker';
import { qualityCounts } from '../tracking/run-payloads';
import { threeWaySplit, validationSplit } from './split-records';
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
  /** The refit winner's metrics on the holdout. */
  readonly best: { params: Candidate['params']; metrics: RegressionMetrics };
  /** The winner's selection score: validation rows, or the k-fold mean with --cv. */
  readonly validation: RegressionMetrics;
  readonly output: string;
  readonly nTrain: number;
  readonly nValidation: number;
  readonly nTest: number;
  readonly rejected: number;
  readonly dataSha256: string;
  readonly featureImportances: Record<string, number>;
  readonly model: TreeEnsemble;
  /** The holdout rows (the rows `register` compares models on). */
  readonly test: LabeledWineRecord[];
  readonly tracked?: TrackedSearch;
}

export interface Split {
  readonly train: LabeledWineRecord[];
  /** Candidate-selection rows; empty when candidates are selected by --cv on `train`. */
  readonly validation: LabeledWineRecord[];
  /** The final holdout: reported and gated on, never used to choose a candidate. */
  readonly test: LabeledWineRecord[];
  readonly rejected: number;
  /** Where each part came from (a directory, or the CSV paths). */
  readonly sources: { readonly train: string; readonly validation: string; readonly test: string };
}

export type SplitOptions = Pick<
  TrainOptions,
  'data' | 'train' | 'test' | 'testSize' | 'seed' | 'skipInvalid'
> &
  Partial<Pick<TrainOptions, 'validation' | 'validationSize' | 'cv'>>;

/**
 * The seeded, stratified three-way split of --data (or the given files). The holdout is split
 * off first, so `register` gets the same holdout from the same data, seed and --test-size.
 */
export async function loadSplit(
  options: SplitOptions,
  deps: Pick<TrainDeps, 'loadDir' | 'loadCsv'>,
  defaultDataDir: string,
): Promise<Split> {
  const validationSize = options.cv === undefined ? (options.validationSize ?? 0) : 0;
  if (options.train !== undefined && options.test !== undefined) {
    const [train, test, validation] = await Promise.all([
      deps.loadCsv(options.train, options.skipInvalid),
      deps.loadCsv(options.test, options.skipInvalid),
      options.validation === undefined
        ? undefined
        : deps.loadCsv(options.validation, options.skipInvalid),
    ]);
    const carved =
      validation !== undefined || validationSize === 0
        ? { train: train.records, validation: validation?.records ?? [] }
        : validationSplit(train.records, { fraction: validationSize, seed: options.seed });
    return {
      ...carved,
      test: test.records,
      rejected: train.rejected + test.rejected + (validation?.rejected ?? 0),
      sources: {
        train: train.description,
        validation: validation?.description ?? train.description,
        test: test.description,
      },
    };
  }
  const all = await deps.loadDir(options.data ?? defaultDataDir, options.skipInvalid);
  const parts = threeWaySplit(all.records, {
    testSize: options.testSize,
    validationSize,
    seed: options.seed,
  });
  return {
    train: parts.train,
    validation: parts.validation,
    test: parts.holdout,
    rejected: all.rejected,
    sources: { train: all.description, validation: all.description, test: all.description },
  };
}

/** What defines a search: the learner, the strategy and how candidates are scored. */
export type SearchSettings = Pick<
  TrainOptions,
  'model' | 'search' | 'nIter' | 'cv' | 'seed' | 'workers' | 'testSize' | 'validationSize'
> & {
  readonly fromFiles: boolean;
  /** Hyperparameters to search (`--space`); default the learner's DEFAULT_*_SPACE. */
  readonly paramSpace?: ParamSpace;
  /** false: every candidate fitted on its own (runSearch's depthSharing; default true). */
  readonly depthSharing?: boolean;
};

function searchStart(settings: SearchSettings, split: Split, dataSha256: string): SearchStart {
  const dataset = (
    side: 'train' | 'validation' | 'test',
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
    kind: settings.model,
    dataSha256,
    datasets: [
      dataset('train', split.train, 'training'),
      ...(split.validation.length > 0
        ? [dataset('validation', split.validation, 'validation')]
        : []),
      dataset('test', split.test, 'eval'),
    ],
    options: {
      model_kind: settings.model,
      search: settings.search,
      ...(settings.search === 'random' ? { n_iter: settings.nIter } : {}),
      validation: settings.cv === undefined ? 'validation-split' : `${settings.cv}-fold`,
      ...(settings.fromFiles ? {} : { test_size: settings.testSize }),
      ...(settings.fromFiles || settings.cv !== undefined
        ? {}
        : { validation_size: settings.validationSize }),
      seed: settings.seed,
      ...(settings.paramSpace === undefined ? {} : { space: JSON.stringify(settings.paramSpace) }),
      n_train: split.train.length,
      n_validation: split.validation.length,
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
  options: TrainOptions & Pick<SearchSettings, 'paramSpace'>,
  deps: TrainDeps,
  defaultDataDir: string,
): Promise<TrainOutcome> {
  const split = await loadSplit(options, deps, defaultDataDir);
  return trainOnSplit(split, { ...options, fromFiles: options.train !== undefined }, deps);
}

/**
 * Search on train (scored on validation, or k folds of train with --cv), refit the winner on
 * train + validation, measure it once on the holdout, profile it, write the model directory
 * and track it. The holdout plays no part in choosing the candidate.
 */
export async function trainOnSplit(
  split: Split,
  settings: SearchSettings & { readonly output: string },
  deps: Pick<TrainDeps, 'onProgress' | 'log' | 'tracker'>,
): Promise<TrainOutcome> {
  if (settings.cv === undefined && split.validation.length === 0) {
    throw new ModelError(
      'PARAMS_INVALID',
      'no validation rows to choose a candidate on: give --validation-size > 0, --validation <csv> or --cv <k>',
    );
  }
  const xTrain = encodeRecords(split.train);
  const yTrain = targetsOf(split.train);
  const fitRows = [...split.train, ...split.validation];
  const xFit = encodeRecords(fitRows);
  const yFit = targetsOf(fitRows);
  const xTest = encodeRecords(split.test);
  const yTest = targetsOf(split.test);
  deps.log(
    `data: ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} holdout rows, ${split.rejected} rejected`,
  );

  const dataSha256 = datasetFingerprint([...split.train, ...split.validation, ...split.test]);
  // Before the search: a wrong tracking URI fails in a second, not after the training.
  const tracking = await deps.tracker?.startSearch(searchStart(settings, split, dataSha256));
  try {
    const search = await runSearch({
      kind: settings.model,
      train: { x: xTrain, y: yTrain },
      validation:
        settings.cv === undefined
          ? { x: encodeRecords(split.validation), y: targetsOf(split.validation) }
          : { kFold: settings.cv },
      strategy: settings.search === 'grid' ? 'grid' : { random: settings.nIter },
      ...(settings.paramSpace === undefined ? {} : { space: settings.paramSpace }),
      seed: settings.seed,
      ...(settings.workers === undefined ? {} : { workers: settings.workers }),
      ...(settings.depthSharing === undefined ? {} : { depthSharing: settings.depthSharing }),
      ...(deps.onProgress === undefined ? {} : { onProgress: deps.onProgress }),
    });

    const model = fitFinal(settings.model, xFit, yFit, search.best.params);
    const testPredictions = model.predict(xTest);
    const testMetrics = regressionMetrics(yTest, testPredictions);
    const featureImportances = model.featureImportances();
    const training: TrainingMetadata = {
      kind: settings.model,
      params: canonicalParams({ ...search.best.params }),
      learner: { ...LEARNER },
      dataSha256,
      nTrain: fitRows.length,
      metrics: { test: testMetrics },
      featureImportances,
    };
    // The drift reference: binned profile + exact sample of the rows the model was fitted on.
    const { reference, referenceSample } = computeDriftReference(xFit, yFit, model.predict(xFit), {
      seed: settings.seed,
    });
    const document = model.toDocument({ training, reference });
    const inputExample = split.test.slice(0, 5).map(stripQuality);
    await writeModelDir(settings.output, document, { inputExample, referenceSample });
    const tracked = await tracking?.complete({
      candidates: search.candidates,
      best: search.best,
      testMetrics,
      searchSeconds: search.seconds,
      document,
      inputExample,
      referenceSample,
      actual: yTest,
      predicted: testPredictions,
      featureImportances,
    });
    return {
      search,
      best: { params: search.best.params, metrics: testMetrics },
      validation: search.best.metrics,
      output: settings.output,
      nTrain: split.train.length,
      nValidation: split.validation.length,
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
