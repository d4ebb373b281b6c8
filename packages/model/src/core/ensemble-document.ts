/**
 * The versioned model file (model.json): one "tree ensemble" format for a single tree and a
 * forest. Trees are flat node arrays in preorder (see tree/tree-nodes.ts); `aggregation`
 * says how tree outputs combine. No timestamps: the same data, parameters and seed give a
 * byte-identical file (serializeModel below is canonical).
 */
import { ModelError } from '../errors';
import type { RegressionMetrics } from './metrics';
import type { ReferenceProfile } from './reference-profile';
import type { ParamScalar } from './tree/params';

export const ENSEMBLE_FORMAT = 'wine-quality/tree-ensemble';
export const ENSEMBLE_FORMAT_VERSION = 1;
/**
 * 1.1.0: max_features / max_samples read like scikit-learn — integer 1 is one feature / one
 * sample, a fraction is written {kind: 'fraction', value} (model.json, search spaces) and logged
 * as "1.0"; 1.0.0 read a plain 1 as "all" (its model.json files say `"maxFeatures": 1`).
 */
export const LEARNER = Object.freeze({ name: 'wine-cart', version: '1.1.0' } as const);

export type FeatureSpec =
  | { name: string; type: 'number' }
  | { name: 'wine_type'; type: 'category'; categories: ['red', 'white'] };

export interface TreeDocument {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
  samples: number[];
  impurity: number[];
}

export interface TrainingMetadata {
  kind: 'tree' | 'forest';
  /** Learner params; count-or-fraction ones as {kind, value} (plain numbers: learner 1.0.0 files). */
  params: Record<string, ParamScalar>;
  learner: { name: 'wine-cart'; version: string };
  dataSha256?: string;
  nTrain: number;
  metrics?: { test?: RegressionMetrics; cv?: RegressionMetrics };
  featureImportances?: Record<string, number>;
}

export interface EnsembleDocument {
  format: typeof ENSEMBLE_FORMAT;
  formatVersion: typeof ENSEMBLE_FORMAT_VERSION;
  features: FeatureSpec[];
  aggregation: 'mean';
  trees: TreeDocument[];
  training: TrainingMetadata;
  reference?: ReferenceProfile;
}

const TOP_LEVEL_ORDER = [
  'format',
  'formatVersion',
  'features',
  'aggregation',
  'training',
  'reference',
  'trees',
];

/**
 * Canonical JSON: the top level in a fixed, readable order, every other object with sorted
 * keys, arrays of scalars on one line, numbers as JavaScript's shortest round-trip form.
 * Non-finite numbers are refused (JSON would silently turn them into null).
 */
export function serializeModel(doc: EnsembleDocument): string {
  return `${write(doc, '', TOP_LEVEL_ORDER, '$')}\n`;
}

function write(
  value: unknown,
  indent: string,
  order: readonly string[] | null,
  at: string,
): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new ModelError(
        'MODEL_INVALID',
        `cannot serialise ${at}: ${value} is not a finite number`,
      );
    }
    return JSON.stringify(value);
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    if (items.every((v) => v === null || typeof v !== 'object')) {
      return `[${items.map((v, i) => write(v, inner, null, `${at}[${i}]`)).join(',')}]`;
    }
    if (items.length === 0) return '[]';
    const lines = items.map((v, i) => `${inner}${write(v, inner, null, `${at}[${i}]`)}`);
    return `[\n${lines.join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined);
    const sorted = order
      ? [...order.filter((k) => keys.includes(k)), ...keys.filter((k) => !order.includes(k)).sort()]
      : keys.sort();
    if (sorted.length === 0) return '{}';
    const lines = sorted.map(
      (k) => `${inner}${JSON.stringify(k)}: ${write(record[k], inner, null, `${at}.${k}`)}`,
    );
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  throw new ModelError('MODEL_INVALID', `cannot serialise ${at}: unsupported ${typeof value}`);
}
