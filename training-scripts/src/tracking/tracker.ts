/**
 * What the training workflow needs from experiment tracking, and nothing MLflow-specific:
 * run-training.ts talks to this interface (C5/C6), the MLflow implementation lives in
 * mlflow-tracker.ts and is passed in through `deps`.
 */
import type { Candidate, EnsembleDocument, RegressionMetrics, WineRecord } from '@wine/model';

/** One data set the search used (train or test side of the split). */
export interface DatasetInfo {
  readonly name: string;
  /** Where it came from: a directory or CSV path. */
  readonly source: string;
  /** sha256 of the canonical rows (datasetFingerprint). */
  readonly sha256: string;
  readonly rows: number;
  readonly context: 'training' | 'validation' | 'eval';
  /** Rows per quality score, shown in the dataset profile. */
  readonly qualityCounts: Readonly<Record<string, number>>;
}

export interface SearchStart {
  readonly kind: 'tree' | 'forest';
  /** The command's options that define the search (logged as the parent run's params). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** sha256 of train + test rows: the data identity tagged on every run. */
  readonly dataSha256: string;
  readonly datasets: readonly DatasetInfo[];
  /** Log into this existing run instead of creating a parent run (it must be in the experiment). */
  readonly parentRunId?: string;
}

export interface SearchReport {
  readonly candidates: readonly Candidate[];
  readonly best: Candidate;
  /** The refit best model on the test rows. */
  readonly testMetrics: RegressionMetrics;
  readonly searchSeconds: number;
  readonly document: EnsembleDocument;
  readonly inputExample: readonly WineRecord[];
  /** CSV of the reference sample model.json declares (written next to it). */
  readonly referenceSample?: string;
  /** Test-set quality and the final model's predictions, for the plots. */
  readonly actual: Float64Array;
  readonly predicted: Float64Array;
  readonly featureImportances: Readonly<Record<string, number>>;
}

export interface TrackedSearch {
  readonly trackingUri: string;
  readonly experimentId: string;
  readonly runId: string;
  /** Link to the parent run in the MLflow UI. */
  readonly runUrl: string;
  readonly childRuns: number;
  /** MLflow 3 LoggedModel id of the best model. */
  readonly modelId: string;
  /** Wall time of logging the candidate runs. */
  readonly candidateLogSeconds: number;
}

/** An open parent run: finish it with the report, or mark it failed. */
export interface SearchTracking {
  readonly runId: string;
  complete(report: SearchReport): Promise<TrackedSearch>;
  fail(reason: string): Promise<void>;
}

export interface Tracker {
  /** e.g. "http://127.0.0.1:5000, experiment wine-quality", for messages. */
  readonly description: string;
  /**
   * Checks the server and the experiment, then opens the parent run. Called before the
   * search, so a wrong URI fails in a second instead of after minutes of training.
   */
  startSearch(start: SearchStart): Promise<SearchTracking>;
}
