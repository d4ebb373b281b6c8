import { batchBenchmark } from './batch.bench';
import { driftCliBenchmark } from './drift-cli.bench';
import { driftWindowsBenchmark } from './drift-windows.bench';
import { driftBenchmark } from './drift.bench';
import { inferenceBenchmark } from './inference.bench';
import { onnxBenchmark } from './onnx.bench';
import { predictionLogBenchmark } from './prediction-log.bench';
import { pipelineBenchmark } from './pipeline.bench';
import { searchBenchmark } from './search.bench';
import { serviceBenchmark } from './service.bench';
import { streamBenchmark } from './stream.bench';
import { trackingBenchmark } from './tracking.bench';

/** The benchmarks `pnpm run bench` knows. Each module exports one `Benchmark`. */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<Record<string, unknown>>;
}

export const BENCHMARKS: readonly Benchmark[] = [
  serviceBenchmark,
  searchBenchmark,
  inferenceBenchmark,
  onnxBenchmark,
  trackingBenchmark,
  driftBenchmark,
  driftCliBenchmark,
  driftWindowsBenchmark,
  predictionLogBenchmark,
  pipelineBenchmark,
  streamBenchmark,
  batchBenchmark,
];
