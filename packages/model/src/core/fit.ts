/**
 * Entry points of the learner: a single CART tree and a random forest, both returned as a
 * TreeEnsemble. Search code fits on presorted data through tree/train.ts instead.
 */
import { TreeEnsemble } from './ensemble';
import type { Matrix } from './matrix';
import { MODEL_COLUMNS } from './matrix';
import type { ForestParams, TreeParams } from './tree/params';
import { prepareData } from './tree/prepared';
import { fitForestPrepared, fitTreePrepared, forestParamsOf, treeParamsOf } from './tree/train';

/** Column names for a matrix: the model's contract columns, or x0…x{p-1} for other shapes. */
export function columnsFor(cols: number): readonly string[] {
  return cols === MODEL_COLUMNS.length
    ? MODEL_COLUMNS
    : Array.from({ length: cols }, (_, i) => `x${i}`);
}

/** Fits one CART regression tree (scikit-learn DecisionTreeRegressor semantics). */
export function fitTree(x: Matrix, y: Float64Array, params?: Partial<TreeParams>): TreeEnsemble {
  const tree = fitTreePrepared(prepareData(x, y), treeParamsOf(params));
  return new TreeEnsemble('tree', columnsFor(x.cols), [tree]);
}

/** Fits a random forest: bootstrap rows + per-split feature sampling, mean of the trees. */
export function fitForest(
  x: Matrix,
  y: Float64Array,
  params?: Partial<ForestParams>,
): TreeEnsemble {
  const trees = fitForestPrepared(prepareData(x, y), forestParamsOf(params));
  return new TreeEnsemble('forest', columnsFor(x.cols), trees);
}
