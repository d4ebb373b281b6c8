/**
 * Inference layout: every tree of an ensemble in one set of contiguous typed arrays, preorder
 * (left child = node + 1), tuned for V8:
 * - a leaf points to itself (right = self, threshold NaN so `!(x <= NaN)` always steps right),
 *   so each row takes at most `depth` branch-free steps: no mispredicted branches;
 * - the step is arithmetic (`node + 1 + ((right − node − 1) & −goRight)`), eight rows in
 *   lockstep, so the CPU overlaps their independent load chains; the eight stop together as
 *   soon as all are at leaves (one well-predicted test per step), so deep forests, whose
 *   rows mostly end far above the deepest leaf, do not pay the full depth;
 * - rows are scored in blocks that stay in cache while every tree visits them (see BLOCK_BYTES).
 * Missing values (NaN) go right at every split. Batches of WASM_MIN_ROWS rows or more go to the
 * same walk compiled to WebAssembly (wasm-kernel.ts), ~2× faster with identical sums, once
 * the model has scored enough rows to pay for building its image there.
 */
import type { Matrix } from '../matrix';
import { LEAF } from './tree-nodes';
import type { TreeNodes } from './tree-nodes';
import { sumTreesWasm } from './wasm-kernel';

export interface PackedTrees {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  /** Absolute index of the right child in the packed arrays (a leaf: itself). */
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly roots: Int32Array;
  /** Steps from each tree's root to its deepest leaf. */
  readonly depths: Int32Array;
}

/**
 * Rows per block: ~768 KiB of row data (8,192 rows of the wine data's 12 columns). A forest's
 * node arrays (~5 MB for 100 fully grown trees) do not fit in cache, so every block streams
 * all trees through it once; big blocks amortise that (~1.6× the rows per second of
 * 512-row blocks for the 100-tree forest, the same for one tree), while the block's rows
 * stay in L2/L3.
 */
const BLOCK_BYTES = 768 * 1024;

/**
 * From this many rows a batch may be scored by the WebAssembly kernel (once the model has
 * scored enough rows to pay for its kernel image, see sumTreesWasm). Below it the JavaScript
 * walk is as fast (each call copies the rows into the kernel's memory and back, and a model
 * scored after another copies its ~24 bytes per node in); single records stay on it.
 */
const WASM_MIN_ROWS = 128;

export function packTrees(trees: readonly TreeNodes[]): PackedTrees {
  const total = trees.reduce((acc, t) => acc + t.feature.length, 0);
  const feature = new Int32Array(total);
  const threshold = new Float64Array(total);
  const right = new Int32Array(total);
  const value = new Float64Array(total);
  const roots = new Int32Array(trees.length);
  const depths = new Int32Array(trees.length);
  let offset = 0;
  trees.forEach((tree, t) => {
    const n = tree.feature.length;
    const depth = new Int32Array(n);
    let maxDepth = 0;
    roots[t] = offset;
    value.set(tree.value, offset);
    for (let i = 0; i < n; i++) {
      const f = tree.feature[i] as number;
      const d = depth[i] as number;
      if (f === LEAF) {
        threshold[offset + i] = Number.NaN;
        right[offset + i] = offset + i;
        if (d > maxDepth) maxDepth = d;
      } else {
        const r = tree.right[i] as number;
        feature[offset + i] = f;
        threshold[offset + i] = tree.threshold[i] as number;
        right[offset + i] = offset + r;
        // Preorder: both children come after their parent, so their depth is set before use.
        depth[i + 1] = d + 1;
        depth[r] = d + 1;
      }
    }
    depths[t] = maxDepth;
    offset += n;
  });
  return { feature, threshold, right, value, roots, depths };
}

/** Mean over trees of each row's leaf value (a single tree returns its leaf values exactly). */
export function predictPacked(packed: PackedTrees, x: Matrix): Float64Array {
  const { rows } = x;
  const out = new Float64Array(rows);
  const nTrees = packed.roots.length;
  if (rows < WASM_MIN_ROWS || !sumTreesWasm(packed, x.data, rows, x.cols, out)) {
    const blockRows = Math.max(64, Math.floor(BLOCK_BYTES / (8 * Math.max(1, x.cols))));
    for (let start = 0; start < rows; start += blockRows) {
      const end = Math.min(rows, start + blockRows);
      for (let t = 0; t < nTrees; t++) scoreBlock(packed, t, x, start, end, out);
    }
  }
  if (nTrees > 1) for (let r = 0; r < rows; r++) out[r] = (out[r] as number) / nTrees;
  return out;
}

/* eslint-disable @typescript-eslint/no-non-null-assertion, @typescript-eslint/no-unsafe-unary-minus --
   hot loop: typed-array indices are in bounds by construction (packTrees) and `!` costs nothing
   at run time; `-!(cmp)` turns a comparison into a 0 / -1 mask, which keeps the step branch-free. */
function scoreBlock(
  packed: PackedTrees,
  t: number,
  x: Matrix,
  start: number,
  end: number,
  out: Float64Array,
): void {
  const { feature: fe, threshold: th, right: ri, value } = packed;
  const root = packed.roots[t]!;
  const depth = packed.depths[t]!;
  const { data, cols } = x;
  let r = start;
  for (; r + 8 <= end; r += 8) {
    const b0 = r * cols;
    const b1 = (r + 1) * cols;
    const b2 = (r + 2) * cols;
    const b3 = (r + 3) * cols;
    const b4 = (r + 4) * cols;
    const b5 = (r + 5) * cols;
    const b6 = (r + 6) * cols;
    const b7 = (r + 7) * cols;
    let n0 = root;
    let n1 = root;
    let n2 = root;
    let n3 = root;
    let n4 = root;
    let n5 = root;
    let n6 = root;
    let n7 = root;
    for (let k = 0; k < depth; k++) {
      const d0 = ri[n0]! - n0 - 1;
      const d1 = ri[n1]! - n1 - 1;
      const d2 = ri[n2]! - n2 - 1;
      const d3 = ri[n3]! - n3 - 1;
      const d4 = ri[n4]! - n4 - 1;
      const d5 = ri[n5]! - n5 - 1;
      const d6 = ri[n6]! - n6 - 1;
      const d7 = ri[n7]! - n7 - 1;
      // -1 is a leaf (it points to itself): stop once all eight rows have reached one.
      if ((d0 & d1 & d2 & d3 & d4 & d5 & d6 & d7) === -1) break;
      n0 = n0 + 1 + (d0 & -!(data[b0 + fe[n0]!]! <= th[n0]!));
      n1 = n1 + 1 + (d1 & -!(data[b1 + fe[n1]!]! <= th[n1]!));
      n2 = n2 + 1 + (d2 & -!(data[b2 + fe[n2]!]! <= th[n2]!));
      n3 = n3 + 1 + (d3 & -!(data[b3 + fe[n3]!]! <= th[n3]!));
      n4 = n4 + 1 + (d4 & -!(data[b4 + fe[n4]!]! <= th[n4]!));
      n5 = n5 + 1 + (d5 & -!(data[b5 + fe[n5]!]! <= th[n5]!));
      n6 = n6 + 1 + (d6 & -!(data[b6 + fe[n6]!]! <= th[n6]!));
      n7 = n7 + 1 + (d7 & -!(data[b7 + fe[n7]!]! <= th[n7]!));
    }
    out[r + 0] = out[r + 0]! + value[n0]!;
    out[r + 1] = out[r + 1]! + value[n1]!;
    out[r + 2] = out[r + 2]! + value[n2]!;
    out[r + 3] = out[r + 3]! + value[n3]!;
    out[r + 4] = out[r + 4]! + value[n4]!;
    out[r + 5] = out[r + 5]! + value[n5]!;
    out[r + 6] = out[r + 6]! + value[n6]!;
    out[r + 7] = out[r + 7]! + value[n7]!;
  }
  // The last rows (all of a single-record call) go one by one and stop at their own leaf:
  // with no other lanes to wait for, walking on to the tree's full depth is pure waste
  // (a forest's leaves are often far shallower than its deepest one).
  for (; r < end; r++) {
    const b = r * cols;
    let n = root;
    for (let k = 0; k < depth; k++) {
      const d = ri[n]! - n - 1;
      if (d === -1) break;
      n = n + 1 + (d & -!(data[b + fe[n]!]! <= th[n]!));
    }
    out[r] = out[r]! + value[n]!;
  }
}
/* eslint-enable @typescript-eslint/no-non-null-assertion, @typescript-eslint/no-unsafe-unary-minus */
