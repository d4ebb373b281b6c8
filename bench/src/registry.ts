import { batchBenchmark } from './batch.bench';
import { driftCliBenchmark } from './drift-cli.bench';
import { driftWindowsBenchmark } from './drift-windows.bench';
import { driftBenchmark } from './drift.bench';
import { inferenceBenchmark } from './inference.bench';
import { mlCartBenchmark } from './ml-cart.bench';
import { onnxBenchmark } from './onnx.bench';
import { predictionLogBenchmark } from './prediction-log.bench';
import { pipelineBenchmark } from './pipeline.bench';
import { searchBenchmark } from './search.bench';
import { serviceBenchmark } from './service.bench';
import { streamBenchmark } from './stream.bench';
import { trackingBenchmark } from './tracking.bench';

/**
 * One line of the README's benchmark table: a measured number of ours, the peer's number
 * from the same run, their ratio and, where an issue set one, the goal. The README tables
 * are generated from these rows in the committed result files, never typed by hand.
 */
export interface HeadlineRow {
  /** Stable key, e.g. `search.one-thread`; the README generator orders and finds rows by it. */
  readonly id: string;
  /** What was measured, as a reader would say it: "100-candidate tree search, 1 thread each". */
  readonly label: string;
  readonly ours: { readonly value: number; readonly unit: string };
  /** The peer in the configuration its users deploy, named with its version/configuration. */
  readonly peer?: { readonly name: string; readonly value: number; readonly unit: string };
  /** ours ÷ peer (or peer ÷ ours when bigger is better); `meaning` says which: "of the time", "× the rate". */
  readonly ratio?: { readonly value: number; readonly meaning: string };
  /** The goal on `ratio.value` (or on `ours.value` when there is no ratio). */
  readonly goal?: {
    readonly op: '<=' | '>=' | '<' | '>';
    readonly value: number;
    readonly text: string;
  };
  /** Threads/workers on each side when they differ or matter: "1 thread each". */
  readonly threads?: string;
}

/** The benchmarks `pnpm run bench` knows. Each module exports one `Benchmark`. */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  /**
   * Runs a Python peer: the results file's `environment.python` then records the
   * BENCH_PYTHON interpreter's version and its packages' (scikit-learn, numpy, …).
   */
  readonly python?: boolean;
  /** Everything measured, plus `headline`: the rows that go in the README table. */
  run(): Promise<Record<string, unknown> & { readonly headline?: readonly HeadlineRow[] }>;
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
  mlCartBenchmark,
];
