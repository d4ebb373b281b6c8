/**
 * The benchmarks' names and README titles, in README order, without loading them (the
 * registry imports every benchmark and its native peers). `pnpm run bench` checks that this
 * list and the registry name the same benchmarks.
 */
export interface CatalogEntry {
  readonly name: string;
  /** The heading of its README table. */
  readonly title: string;
}

export const CATALOG: readonly CatalogEntry[] = [
  { name: 'search', title: 'Hyperparameter search and forest fit vs scikit-learn' },
  { name: 'ml-cart', title: 'Tree learner vs the JavaScript forest on npm (ml-cart)' },
  { name: 'inference', title: 'Batch inference vs scikit-learn' },
  { name: 'onnx', title: 'Packed trees vs onnxruntime-node' },
  { name: 'service', title: 'Prediction service vs Flask, MLflow serving and bare node:http' },
  { name: 'prediction-log', title: 'Prediction log (PostgreSQL) cost on the service' },
  { name: 'tracking', title: 'Logging candidate runs to MLflow' },
  { name: 'drift', title: 'Drift computation vs numpy/scipy' },
  { name: 'drift-cli', title: '`pnpm run drift` end to end' },
  { name: 'drift-windows', title: 'Drift tests: false alarms and power by window size' },
  { name: 'pipeline', title: 'Retraining pipeline orchestration' },
  { name: 'stream', title: 'Stream scorer on Redis Streams' },
  { name: 'batch', title: '`pnpm run batch-predict` vs pandas + scikit-learn' },
];

export const benchCommand = (name: string): string => `pnpm run bench ${name}`;
