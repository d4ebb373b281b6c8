/**
 * The `drift` command's workflow: load the reference (a model directory's sample or profile,
 * or a whole CSV), load the current CSV, add predictions where a model is known, compute
 * drift and the per-column histograms. IO comes in through `deps`; the CLI only parses and
 * prints.
 */
import {
  columnHistograms,
  computeDrift,
  wineCurrentColumns,
  wineReferenceFromModel,
  wineReferenceFromSample,
  type ColumnHistogram,
  type ColumnKind,
  type DriftOptions,
  type DriftReport,
  type PreparedReference,
} from '@wine/drift';
import {
  encodeColumns,
  type ModelDirectory,
  type ModelReference,
  type WineColumns,
  type WineColumnsResult,
} from '@wine/model';
import type { DriftCliOptions } from './drift-options.schema';

export interface DriftDeps {
  isDirectory(path: string): Promise<boolean>;
  readModelDir(dir: string): Promise<ModelDirectory>;
  readModelReference(dir: string): Promise<ModelReference>;
  loadColumns(file: string, skipInvalid: boolean, label: string): Promise<WineColumnsResult>;
  log(message: string): void;
}

export interface DriftOutcome {
  readonly report: DriftReport;
  /** Reference-vs-current histograms, computed only for the HTML report (they cost a sort per column). */
  readonly histograms: Readonly<Record<string, ColumnHistogram>>;
  /** numerical / categorical, per reference column. */
  readonly kinds: Readonly<Record<string, ColumnKind>>;
  readonly reference: { readonly path: string; readonly kind: string; readonly rows: number };
  readonly current: { readonly path: string; readonly rows: number; readonly rejected: number };
  /** The model that scored rows without a prediction column, when one was used. */
  readonly model?: { readonly dir: string; readonly sha256: string };
  readonly seconds: number;
}

/** Library options from the CLI's flags. */
export function driftOptionsOf(o: DriftCliOptions): DriftOptions {
  const columns: NonNullable<DriftOptions['columns']> = {};
  for (const c of o.column) {
    columns[c.name] = {
      ...(c.method === undefined ? {} : { method: c.method }),
      ...(c.threshold === undefined ? {} : { threshold: c.threshold }),
    };
  }
  return {
    minRows: o.minRows,
    driftShare: o.driftShare,
    numericalMethod: o.numMethod,
    categoricalMethod: o.catMethod,
    thresholds: Object.fromEntries(o.threshold),
    columns,
  };
}

function withPredictions(columns: WineColumns, model: ModelDirectory | undefined): WineColumns {
  if (columns.prediction !== undefined || model === undefined) return columns;
  return { ...columns, prediction: model.model.predict(encodeColumns(columns)) };
}

export async function runDrift(options: DriftCliOptions, deps: DriftDeps): Promise<DriftOutcome> {
  const started = performance.now();
  const referenceIsModel = await deps.isDirectory(options.reference);
  const modelDir = options.model ?? (referenceIsModel ? options.reference : undefined);
  const model = modelDir === undefined ? undefined : await deps.readModelDir(modelDir);
  const source = { source: options.reference, psiBins: options.psiBins };

  let reference: PreparedReference;
  let referenceKind: string;
  if (referenceIsModel) {
    const stored = await deps.readModelReference(options.reference);
    reference = wineReferenceFromModel(stored, source);
    referenceKind =
      stored.kind === 'sample'
        ? `model sample (${stored.sample.rows} of ${stored.document.training.nTrain} training rows)`
        : 'model profile (approximate: the model predates reference samples)';
  } else {
    // A CSV reference is used whole, as Evidently uses reference_data.
    const loaded = await deps.loadColumns(options.reference, options.skipInvalid, 'reference');
    reference = wineReferenceFromSample(withPredictions(loaded.columns, model), source);
    referenceKind = 'CSV (all rows)';
  }

  const loaded = await deps.loadColumns(options.current, options.skipInvalid, 'current');
  const current = withPredictions(loaded.columns, model);
  if (current.prediction === undefined || !reference.columns.has('prediction')) {
    deps.log(
      'prediction drift not computed: give --model <dir> (or a prediction column on both sides)',
    );
  }
  const columns = wineCurrentColumns(current);
  const report = computeDrift(reference, columns, driftOptionsOf(options));
  return {
    report,
    histograms: options.html === undefined ? {} : columnHistograms(reference, columns),
    kinds: Object.fromEntries([...reference.columns].map(([name, c]) => [name, c.kind])),
    reference: { path: options.reference, kind: referenceKind, rows: reference.rows },
    current: { path: options.current, rows: current.rows, rejected: loaded.rowsRejected },
    ...(model === undefined || modelDir === undefined
      ? {}
      : { model: { dir: modelDir, sha256: model.sha256 } }),
    seconds: (performance.now() - started) / 1000,
  };
}
