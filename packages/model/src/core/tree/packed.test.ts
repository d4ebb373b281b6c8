import { randomDataset } from '../../../test/tree-helpers';
import { fitForest } from '../fit';
import type { Matrix } from '../matrix';
import { packTrees, predictPacked } from './packed';
import { LEAF } from './tree-nodes';
import type { TreeNodes } from './tree-nodes';
import { kernelBytes, sumTreesWasm } from './wasm-kernel';

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

/** Mean over trees of the plain walk, summed in tree order, for every row. */
function walkMean(trees: readonly TreeNodes[], x: Matrix): Float64Array {
  const out = new Float64Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    let sum = 0;
    for (const tree of trees) sum += walk(tree, x, r);
    out[r] = trees.length > 1 ? sum / trees.length : sum;
  }
  return out;
}

describe('the WebAssembly batch kernel', () => {
  it('is valid WebAssembly for any row width', () => {
    // @types/node does not declare the WebAssembly global (no DOM lib here).
    const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } })
      .WebAssembly;
    for (const cols of [1, 12, 1600]) {
      expect(wasm.validate(kernelBytes(cols * 8))).toBe(true);
    }
  });

  it('scores batches (ten-row groups and a remainder) exactly as the plain walk, NaN and ±Infinity included', () => {
    const { x, y } = randomDataset(600, 6, 11, 2);
    const trees = fitForest(x, y, { nEstimators: 9, seed: 3 }).trees;
    const packed = packTrees(trees);
    const sums = new Float64Array(x.rows);
    expect(sumTreesWasm(packed, x.data, x.rows, x.cols, sums)).toBe(true);
    for (const rows of [128, 129, 130, 137, 600]) {
      const data = x.data.slice(0, rows * x.cols);
      data[3 * x.cols + 1] = Number.NaN;
      data[10 * x.cols] = Number.POSITIVE_INFINITY;
      data[17 * x.cols + 5] = Number.NEGATIVE_INFINITY;
      data[(rows - 1) * x.cols + 2] = Number.NaN;
      const m: Matrix = { data, rows, cols: x.cols };
      expect(predictPacked(packed, m)).toEqual(walkMean(trees, m));
    }
  });

  it('keeps each model right when models and row widths alternate (the memory holds one at a time)', () => {
    const a = randomDataset(500, 5, 21);
    const b = randomDataset(400, 9, 22);
    const forestA = fitForest(a.x, a.y, { nEstimators: 6, seed: 4 }).trees;
    const forestB = fitForest(b.x, b.y, { nEstimators: 4, seed: 5 }).trees;
    const single = [forestB[0]!];
    const packedA = packTrees(forestA);
    const packedB = packTrees(forestB);
    const packedSingle = packTrees(single);
    for (let round = 0; round < 2; round++) {
      for (const [packed, m] of [
        [packedA, a.x],
        [packedB, b.x],
        [packedSingle, b.x],
      ] as const) {
        expect(sumTreesWasm(packed, m.data, m.rows, m.cols, new Float64Array(m.rows))).toBe(true);
      }
      expect(predictPacked(packedA, a.x)).toEqual(walkMean(forestA, a.x));
      expect(predictPacked(packedB, b.x)).toEqual(walkMean(forestB, b.x));
      expect(predictPacked(packedSingle, b.x)).toEqual(walkMean(single, b.x));
    }
  });

  it('waits until a model has scored rows × trees of half its nodes before building its image', () => {
    const { x, y } = randomDataset(2000, 4, 41);
    const trees = fitForest(x, y, { nEstimators: 3, seed: 7 }).trees;
    const packed = packTrees(trees);
    const half = packed.feature.length / 2;
    const batch = Math.ceil(half / trees.length / 3) + 1; // three batches pay for it
    const m: Matrix = { data: x.data, rows: batch, cols: x.cols };
    const sums = new Float64Array(batch);
    expect(sumTreesWasm(packed, m.data, batch, m.cols, sums)).toBe(false);
    expect(sumTreesWasm(packed, m.data, batch, m.cols, sums)).toBe(false);
    expect(sumTreesWasm(packed, m.data, batch, m.cols, sums)).toBe(true);
    expect(sumTreesWasm(packed, m.data, 8, m.cols, new Float64Array(8))).toBe(true);
    const expected = walkMean(trees, m).map((v) => v * trees.length);
    sums.forEach((v, r) => {
      expect(v).toBeCloseTo(expected[r]!, 12);
    });
  });

  it('declines (the JavaScript walk scores) a split on a column the matrix lacks or a right child before its node', () => {
    const { x, y } = randomDataset(300, 4, 31);
    const trees = fitForest(x, y, { nEstimators: 2, seed: 6 }).trees;
    const narrow = new Float64Array(x.rows * 2);
    expect(sumTreesWasm(packTrees(trees), narrow, x.rows, 2, new Float64Array(x.rows))).toBe(false);
    const tree = trees[0]!;
    const loop: TreeNodes = { ...tree, right: tree.right.map((r, i) => (r === -1 ? r : i)) };
    const sums = new Float64Array(x.rows);
    expect(sumTreesWasm(packTrees([loop]), x.data, x.rows, x.cols, sums)).toBe(false);
    expect(sums.every((v) => v === 0)).toBe(true);
  });
});
