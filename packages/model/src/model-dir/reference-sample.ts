/**
 * `reference_sample.csv.gz` in the model directory: the reference sample as a gzipped CSV —
 * the 12 contract columns, `quality`, `prediction`; numbers in JavaScript's shortest
 * round-trip form, so values survive exactly; pandas reads it as is
 * (`pd.read_csv("reference_sample.csv.gz")` is Evidently's reference_data). model.json's
 * `reference.sample` names the file with the sha256 of the uncompressed CSV (gzip bytes may
 * differ between zlib builds; the CSV text does not), so model.json identifies the sample too.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ReferenceProfile, ReferenceSampleInfo } from '../core/reference-profile';
import { computeReferenceProfile } from '../core/reference-profile';
import { referenceSampleColumns, type ReferenceSampleOptions } from '../core/reference-sample';
import { FEATURE_NAMES, TARGET_NAME, WINE_TYPES } from '../core/features';
import type { FeatureName, WineType } from '../core/features';
import type { Matrix } from '../core/matrix';
import type { WineColumns } from '../core/wine-columns';
import type { EnsembleDocument } from '../core/ensemble-document';
import { loadModel } from '../core/ensemble';
import { ModelError } from '../errors';
import { MODEL_FILE } from './mlmodel';
import { sha256Hex } from './onnx-flavours';

export const REFERENCE_SAMPLE_FILE = 'reference_sample.csv.gz';
export const REFERENCE_SAMPLE_COLUMNS: readonly string[] = Object.freeze([
  ...FEATURE_NAMES,
  'wine_type',
  TARGET_NAME,
  'prediction',
]);

export function formatReferenceSample(sample: WineColumns): string {
  const { quality, prediction } = sample;
  if (quality === undefined || prediction === undefined) {
    throw new ModelError('PARAMS_INVALID', 'a reference sample needs quality and predictions');
  }
  const lines = [REFERENCE_SAMPLE_COLUMNS.join(',')];
  for (let r = 0; r < sample.rows; r++) {
    const cells = FEATURE_NAMES.map((name) => String(sample.features[name][r]));
    cells.push(sample.wineType[r] as string, String(quality[r]), String(prediction[r]));
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

/** Parses the CSV this module writes; anything else is MODEL_INVALID naming the line. */
export function parseReferenceSample(text: string, where: string): WineColumns {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== REFERENCE_SAMPLE_COLUMNS.join(',')) {
    throw new ModelError(
      'MODEL_INVALID',
      `${where}: header must be ${REFERENCE_SAMPLE_COLUMNS.join(',')}`,
    );
  }
  const rows = lines.length - 1;
  const numeric = [...FEATURE_NAMES, TARGET_NAME, 'prediction'].map(() => new Float64Array(rows));
  const wineType: WineType[] = new Array<WineType>(rows);
  const typeAt = FEATURE_NAMES.length;
  for (let r = 0; r < rows; r++) {
    const cells = (lines[r + 1] as string).split(',');
    const bad = (why: string): ModelError =>
      new ModelError('MODEL_INVALID', `${where}:${r + 2}: ${why}`);
    if (cells.length !== REFERENCE_SAMPLE_COLUMNS.length) throw bad(`${cells.length} fields`);
    cells.forEach((cell, c) => {
      if (c === typeAt) {
        const t = WINE_TYPES.find((w) => w === cell);
        if (t === undefined) throw bad(`wine_type "${cell}" is not red or white`);
        wineType[r] = t;
        return;
      }
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v)) throw bad(`"${cell}" is not a finite number`);
      (numeric[c < typeAt ? c : c - 1] as Float64Array)[r] = v;
    });
  }
  const features = {} as Record<FeatureName, Float64Array>;
  FEATURE_NAMES.forEach((name, c) => {
    features[name] = numeric[c] as Float64Array;
  });
  return {
    rows,
    features,
    wineType,
    quality: numeric[FEATURE_NAMES.length],
    prediction: numeric[FEATURE_NAMES.length + 1],
  };
}

/**
 * Everything a model directory stores for drift: the binned profile (model.json) and the
 * exact sample (its CSV text for writeModelDir, described in the profile's `sample`).
 */
export function computeDriftReference(
  x: Matrix,
  target: ArrayLike<number>,
  predictions: ArrayLike<number>,
  options: ReferenceSampleOptions,
): { reference: ReferenceProfile; referenceSample: string } {
  const columns = referenceSampleColumns(x, target, predictions, options);
  const csv = formatReferenceSample(columns);
  const sample: ReferenceSampleInfo = {
    file: REFERENCE_SAMPLE_FILE,
    rows: columns.rows,
    sourceRows: x.rows,
    seed: options.seed,
    sha256: sha256Hex(csv),
  };
  return {
    reference: { ...computeReferenceProfile(x, predictions, { target }), sample },
    referenceSample: csv,
  };
}

/** What a model directory offers drift: the exact sample, else the binned profile, else nothing. */
export type ModelReference =
  | { readonly kind: 'sample'; readonly sample: WineColumns; readonly document: EnsembleDocument }
  | {
      readonly kind: 'profile';
      readonly profile: ReferenceProfile;
      readonly document: EnsembleDocument;
    }
  | { readonly kind: 'none'; readonly document: EnsembleDocument };

/** Reads the sample a model.json declares; its sha256 must match. */
export async function readReferenceSample(
  dir: string,
  info: ReferenceSampleInfo,
): Promise<WineColumns> {
  const file = path.join(dir, info.file);
  let text: string;
  try {
    text = gunzipSync(await readFile(file)).toString('utf8');
  } catch (error) {
    throw new ModelError('MODEL_INVALID', `${file} cannot be read (model.json declares it)`, {
      cause: error,
    });
  }
  if (sha256Hex(text) !== info.sha256) {
    throw new ModelError(
      'MODEL_INVALID',
      `${file} does not match the sha256 in model.json: the directory was changed after training`,
    );
  }
  const sample = parseReferenceSample(text, file);
  if (sample.rows !== info.rows) {
    throw new ModelError(
      'MODEL_INVALID',
      `${file}: ${sample.rows} rows, model.json says ${info.rows}`,
    );
  }
  return sample;
}

/** The drift reference of a model directory (model.json and, if declared, the sample). */
export async function readModelReference(dir: string): Promise<ModelReference> {
  const file = path.join(dir, MODEL_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ModelError('MODEL_INVALID', `${file} cannot be read: is this a model directory?`, {
      cause: error,
    });
  }
  const { document } = loadModel(text);
  const profile = document.reference;
  if (profile === undefined) return { kind: 'none', document };
  if (profile.sample === undefined) return { kind: 'profile', profile, document };
  return { kind: 'sample', sample: await readReferenceSample(dir, profile.sample), document };
}
