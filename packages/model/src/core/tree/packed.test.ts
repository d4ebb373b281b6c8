import { randomDataset } from '../../../test/tree-helpers';
import { fitForest } from '../fit';
import type { Matrix } from '../matrix';
import { packTrees, predictPacked } from './packed';
import { LEAF } from './tree-nodes';
import type { TreeNodes } from './tree-nodes';

/** The plain branchy walk, one row and one tree at a time (NaN goes right). */
function walk(tree: TreeNodes, x: Matrix, r: number): number {
  let n = 0;
  while (tree.feature[n] !== LEAF) {
    const v = x.data[r * x.cols + (tree.feature[n] as number)] as number;
    n = v <= (tree.threshold[n] as number) ? n + 1 : (tree.right[n] as number);
  }
  return tree.value[n] as number;
}

describe('predictPacked', () => {
  it('equals the plain walk (summed in tree order) for deep forests, any row count, NaN cells', () => {
    const { x, y } = randomDataset(400, 5, 3, 2);
    const trees = fitForest(x, y, { nEstimators: 7, seed: 1 }).trees;
    const packed = packTrees(trees);
    // 0–17 rows: the eight-row lockstep, its early stop and the remainder loop.
    for (const rows of [0, 1, 7, 8, 9, 16, 17, 400]) {
      const data = x.data.slice(0, rows * x.cols);
      if (rows > 5) data[5 * x.cols + 2] = Number.NaN;
      const m: Matrix = { data, rows, cols: x.cols };
      const got = predictPacked(packed, m);
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (const tree of trees) sum += walk(tree, m, r);
        expect(got[r]).toBe(sum / trees.length);
      }
    }
  });

  it('scores across row blocks: wide rows make blocks of 64 rows', () => {
    const { x, y } = randomDataset(300, 4, 8);
    const trees = fitForest(x, y, { nEstimators: 5, seed: 2 }).trees;
    // 1,600 columns (the first four are the data): 768 KiB / (8 · 1,600) → 64-row blocks.
    const cols = 1600;
    const rows = 300;
    const data = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) data.set(x.data.subarray(r * 4, r * 4 + 4), r * cols);
    const wide: Matrix = { data, rows, cols };
    const got = predictPacked(packTrees(trees), wide);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (const tree of trees) sum += walk(tree, wide, r);
      expect(got[r]).toBe(sum / trees.length);
    }
  });
});
