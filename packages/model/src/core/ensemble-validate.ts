/** Validation of a parsed model.json: header, schema, then tree structure. */
import { ModelError } from '../errors';
import { ENSEMBLE_FORMAT, ENSEMBLE_FORMAT_VERSION } from './ensemble-document';
import type { EnsembleDocument, FeatureSpec, TreeDocument } from './ensemble-document';
import { ensembleDocumentSchema, ensembleHeaderSchema } from './ensemble.schema';
import { MODEL_COLUMNS, WINE_TYPE_COLUMN } from './matrix';

function invalid(message: string, details?: readonly string[]): ModelError {
  return new ModelError('MODEL_INVALID', `model file is invalid: ${message}`, {
    ...(details === undefined ? {} : { details }),
  });
}

/** The feature schema every model of this project reads: MODEL_COLUMNS with their types. */
export function modelFeatureSpecs(): FeatureSpec[] {
  return MODEL_COLUMNS.map((name, i) =>
    i === WINE_TYPE_COLUMN
      ? { name: 'wine_type', type: 'category', categories: ['red', 'white'] }
      : { name, type: 'number' },
  );
}

function show(value: unknown): string {
  return value === undefined ? '(missing)' : JSON.stringify(value);
}

export function validateDocument(raw: unknown): EnsembleDocument {
  const header = ensembleHeaderSchema.safeParse(raw);
  if (!header.success) throw invalid('expected a JSON object with "format" and "formatVersion"');
  const { format, formatVersion } = header.data;
  if (format !== ENSEMBLE_FORMAT) {
    throw new ModelError(
      'MODEL_FORMAT_UNSUPPORTED',
      `unsupported model format ${show(format)}: this reader understands "${ENSEMBLE_FORMAT}"`,
    );
  }
  if (formatVersion !== ENSEMBLE_FORMAT_VERSION) {
    throw new ModelError(
      'MODEL_FORMAT_UNSUPPORTED',
      `unsupported ${ENSEMBLE_FORMAT} formatVersion ${show(formatVersion)}: this reader understands version ${ENSEMBLE_FORMAT_VERSION}; upgrade @wine/model to load newer models`,
    );
  }
  const parsed = ensembleDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
    );
    throw invalid(details.slice(0, 3).join('; '), details);
  }
  const doc: EnsembleDocument = parsed.data;
  checkFeatures(doc.features);
  doc.trees.forEach((tree, t) => {
    checkTree(tree, t, doc.features.length);
  });
  return doc;
}

function checkFeatures(features: readonly FeatureSpec[]): void {
  const expected = modelFeatureSpecs();
  const names = features.map((f) => f.name);
  if (names.join(',') !== MODEL_COLUMNS.join(',')) {
    throw invalid(
      `features must be [${MODEL_COLUMNS.join(', ')}] in this order, got [${names.join(', ')}]`,
    );
  }
  features.forEach((f, i) => {
    if (f.type !== expected[i]?.type) {
      throw invalid(
        `feature "${f.name}" must have type "${expected[i]?.type ?? '?'}", got "${f.type}"`,
      );
    }
  });
}

/** Preorder layout: left child = i + 1, right child after the left subtree; every node reached once. */
function checkTree(tree: TreeDocument, t: number, nFeatures: number): void {
  const n = tree.feature.length;
  const arrays = ['threshold', 'left', 'right', 'value', 'samples', 'impurity'] as const;
  for (const name of arrays) {
    if (tree[name].length !== n) {
      throw invalid(
        `trees[${t}].${name} has ${tree[name].length} entries, trees[${t}].feature has ${n}`,
      );
    }
  }
  if (n === 0) throw invalid(`trees[${t}] has no nodes`);
  const at = (i: number): string => `trees[${t}] node ${i}`;
  const stack = [0];
  let expected = 0;
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node !== expected) {
      throw invalid(
        `${at(expected)}: nodes must be stored in preorder (found a link to node ${node})`,
      );
    }
    expected++;
    const f = tree.feature[node] as number;
    const left = tree.left[node] as number;
    const right = tree.right[node] as number;
    if (f === -1) {
      if (left !== -1 || right !== -1)
        throw invalid(`${at(node)}: a leaf (feature -1) must have left = right = -1`);
      continue;
    }
    if (f < 0 || f >= nFeatures)
      throw invalid(`${at(node)}: feature ${f} is out of range 0..${nFeatures - 1}`);
    if (left !== node + 1)
      throw invalid(`${at(node)}: left child must be ${node + 1} (preorder), got ${left}`);
    if (right <= left || right >= n)
      throw invalid(`${at(node)}: right child ${right} is out of range ${left + 1}..${n - 1}`);
    stack.push(right, left);
  }
  if (expected !== n)
    throw invalid(`trees[${t}]: nodes ${expected}..${n - 1} are not reachable from the root`);
}
