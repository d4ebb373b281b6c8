/**
 * Single-process batch scoring: every file of the input into one output CSV (and one
 * rejected-rows CSV), each published atomically only when everything was scored. A failed or
 * killed run leaves nothing under either name; a re-run writes the same bytes.
 */
import { formatLocation, type Location, type Storage } from '@wine/azure';
import { REJECTED_HEADER } from './rejected-csv';
import { planBatch } from './plan';
import { scoreSegments, type BatchModel } from './score-stream';

export interface BatchOptions {
  readonly input: Location;
  readonly output: Location;
  /** Default: next to the output, `<name>.rejected.csv`. */
  readonly rejected?: Location;
  readonly modelVersionColumn?: boolean;
  readonly blockRows?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface BatchSummary {
  /** Rows scored and written (rows in − rejected). */
  readonly rows: number;
  readonly rejected: number;
  /** Reading, scoring and writing (from the first read to the last commit). */
  readonly seconds: number;
  readonly output: string;
  readonly rejectedOutput: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly sha256: string;
  readonly modelVersion: string;
}

/** `out.csv` → `out.rejected.csv` (same folder / container). */
export function defaultRejectedLocation(output: Location): Location {
  const rename = (p: string) =>
    /\.csv$/i.test(p) ? p.replace(/\.csv$/i, '.rejected.csv') : `${p}.rejected.csv`;
  return output.kind === 'local'
    ? { kind: 'local', path: rename(output.path) }
    : { kind: 'az', container: output.container, path: rename(output.path) };
}

export async function runBatch(
  options: BatchOptions,
  deps: { readonly storage: Storage; readonly model: BatchModel },
): Promise<BatchSummary> {
  const { storage, model } = deps;
  const started = performance.now();
  const modelVersionColumn = options.modelVersionColumn ?? true;
  const plan = await planBatch(storage, options.input, { partitions: 1, modelVersionColumn });
  const rejectedAt = options.rejected ?? defaultRejectedLocation(options.output);
  const out = storage.writer(options.output, { contentType: 'text/csv' });
  const rejected = storage.writer(rejectedAt, { contentType: 'text/csv' });
  let done = 0;
  try {
    rejected.stream.write(REJECTED_HEADER);
    const result = await scoreSegments(
      plan.parts[0]?.segments ?? [],
      model,
      storage,
      { output: out.stream, rejected: rejected.stream },
      {
        header: plan.header,
        writeHeader: true,
        modelVersionColumn,
        ...(options.blockRows === undefined ? {} : { blockRows: options.blockRows }),
        onBytes: (n) => {
          done += n;
          options.onProgress?.(Math.min(done, plan.bytes), plan.bytes);
        },
      },
    );
    await rejected.commit();
    const written = await out.commit();
    return {
      rows: result.rows,
      rejected: result.rejected,
      seconds: (performance.now() - started) / 1000,
      output: formatLocation(options.output),
      rejectedOutput: formatLocation(rejectedAt),
      bytesIn: plan.bytes,
      bytesOut: written.bytes,
      sha256: written.sha256,
      modelVersion: model.version,
    };
  } catch (error) {
    await Promise.all([out.abort(), rejected.abort()]);
    throw error;
  }
}
