/**
 * A fitted model: one tree or a forest, scored from packed typed arrays. The same class
 * serves training (fitTree / fitForest build it) and serving (loadModel / fromDocument).
 */
import { ModelError } from '../errors';
import { ENSEMBLE_FORMAT, ENSEMBLE_FORMAT_VERSION, serializeModel } from './ensemble-document';
import type { EnsembleDocument, TrainingMetadata } from './ensemble-document';
import { modelFeatureSpecs, validateDocument } from './ensemble-validate';
import type { WineRecord } from './features';
import { encodeRecords, MODEL_COLUMNS } from './matrix';
import type { Matrix } from './matrix';
import type { ReferenceProfile } from './reference-profile';
import { packTrees, predictPacked } from './tree/packed';
import type { PackedTrees } from './tree/packed';
import { LEAF } from './tree/tree-nodes';
import type { TreeNodes } from './tree/tree-nodes';

export { serializeModel } from './ensemble-document';
export type { EnsembleDocument, TrainingMetadata } from './ensemble-document';

export class TreeEnsemble {
  readonly kind: 'tree' | 'forest';
  readonly nTrees: number;
  readonly columns: readonly string[];
  /** The fitted trees (read-only views; used for serialisation, importances and tests). */
  readonly trees: readonly TreeNodes[];
  private readonly packed: PackedTrees;

  /** Use fitTree / fitForest / fromDocument; this is for code that already holds node arrays. */
  constructor(kind: 'tree' | 'forest', columns: readonly string[], trees: readonly TreeNodes[]) {
    if (trees.length === 0)
      throw new ModelError('MODEL_INVALID', 'an ensemble needs at least one tree');
    this.kind = kind;
    this.columns = columns;
    this.trees = trees;
    this.nTrees = trees.length;
    this.packed = packTrees(trees);
  }

  /** Scores a MODEL_COLUMNS matrix (one prediction per row). */
  predict(x: Matrix): Float64Array {
    if (x.cols !== this.columns.length || x.data.length < x.rows * x.cols) {
      throw new ModelError(
        'PARAMS_INVALID',
        `predict needs a ${this.columns.length}-column matrix (${this.columns.join(', ')}), got ${x.rows}×${x.cols} with ${x.data.length} cells`,
      );
    }
    return predictPacked(this.packed, x);
  }

  predictRecords(records: readonly WineRecord[]): number[] {
    return Array.from(this.predict(encodeRecords(records)));
  }

  /** Impurity-based importances normalised to sum 1 (scikit-learn's feature_importances_). */
  featureImportances(): Record<string, number> {
    const p = this.columns.length;
    const mean = new Float64Array(p);
    let used = 0;
    for (const tree of this.trees) {
      if (tree.feature.length <= 1) continue;
      const imp = treeImportances(tree, p);
      for (let f = 0; f < p; f++) mean[f] = (mean[f] as number) + (imp[f] as number);
      used++;
    }
    const total = mean.reduce((a, b) => a + b, 0);
    const out: Record<string, number> = {};
    this.columns.forEach((name, f) => {
      out[name] = used > 0 && total > 0 ? (mean[f] as number) / total : 0;
    });
    return out;
  }

  toDocument(meta: { training: TrainingMetadata; reference?: ReferenceProfile }): EnsembleDocument {
    if (this.columns.join(',') !== MODEL_COLUMNS.join(',')) {
      throw new ModelError(
        'MODEL_INVALID',
        `only models on the contract's columns (${MODEL_COLUMNS.join(', ')}) can be saved`,
      );
    }
    return {
      format: ENSEMBLE_FORMAT,
      formatVersion: ENSEMBLE_FORMAT_VERSION,
      features: modelFeatureSpecs(),
      aggregation: 'mean',
      trees: this.trees.map((t) => ({
        feature: Array.from(t.feature),
        threshold: Array.from(t.threshold),
        left: Array.from(t.left),
        right: Array.from(t.right),
        value: Array.from(t.value),
        samples: Array.from(t.samples),
        impurity: Array.from(t.impurity),
      })),
      training: meta.training,
      ...(meta.reference === undefined ? {} : { reference: meta.reference }),
    };
  }

  /** Validates a parsed model document and builds the model (ModelError on any problem). */
  static fromDocument(doc: unknown): TreeEnsemble {
    const valid = validateDocument(doc);
    return ensembleOf(valid);
  }
}

function ensembleOf(doc: EnsembleDocument): TreeEnsemble {
  const trees: TreeNodes[] = doc.trees.map((t) => ({
    feature: Int32Array.from(t.feature),
    threshold: Float64Array.from(t.threshold),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    value: Float64Array.from(t.value),
    samples: Float64Array.from(t.samples),
    impurity: Float64Array.from(t.impurity),
  }));
  return new TreeEnsemble(doc.training.kind, MODEL_COLUMNS, trees);
}

/** Per-tree importances: Σ over splits of N_t·I_t − N_L·I_L − N_R·I_R, normalised to sum 1. */
function treeImportances(tree: TreeNodes, p: number): Float64Array {
  const imp = new Float64Array(p);
  const { feature, samples: w, impurity, right } = tree;
  for (let i = 0; i < feature.length; i++) {
    const f = feature[i] as number;
    if (f === LEAF) continue;
    const r = right[i] as number;
    const l = i + 1;
    imp[f] =
      (imp[f] as number) +
      (w[i] as number) * (impurity[i] as number) -
      (w[l] as number) * (impurity[l] as number) -
      (w[r] as number) * (impurity[r] as number);
  }
  const total = imp.reduce((a, b) => a + b, 0);
  if (total > 0) for (let f = 0; f < p; f++) imp[f] = (imp[f] as number) / total;
  return imp;
}

/** Parses and validates model.json text. */
export function loadModel(text: string): { model: TreeEnsemble; document: EnsembleDocument } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelError(
      'MODEL_INVALID',
      `model file is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const document = validateDocument(raw);
  return { model: ensembleOf(document), document };
}

/** Deterministic text of a model; identical inputs give identical bytes. */
export function modelToJson(
  model: TreeEnsemble,
  meta: { training: TrainingMetadata; reference?: ReferenceProfile },
): string {
  return serializeModel(model.toDocument(meta));
}
