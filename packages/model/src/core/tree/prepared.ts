/**
 * Training data laid out for the CART builder: one contiguous column per feature and, per
 * feature, the row ids sorted by value. Sorting is the only O(n log n) step of a fit, so it is
 * done once per dataset and shared by every tree of a forest and every candidate of a search.
 */
import { ModelError } from '../../errors';
import type { Matrix } from '../matrix';

export interface PreparedData {
  readonly rows: number;
  readonly cols: number;
  /** columns[f][i] = x[i, f]. */
  readonly columns: readonly Float64Array[];
  readonly y: Float64Array;
  /** order[f]: row ids sorted by ascending columns[f] (ties by row id, so the order is unique). */
  readonly order: readonly Int32Array[];
}

export function prepareData(x: Matrix, y: Float64Array): PreparedData {
  const { rows, cols, data } = x;
  if (rows !== y.length) {
    throw new ModelError(
      'PARAMS_INVALID',
      `training data has ${rows} rows but ${y.length} target values`,
    );
  }
  if (rows < 1 || cols < 1) {
    throw new ModelError('PARAMS_INVALID', 'training data needs at least one row and one column');
  }
  if (data.length !== rows * cols) {
    throw new ModelError(
      'PARAMS_INVALID',
      `matrix data has ${data.length} cells, expected rows × cols = ${rows * cols}`,
    );
  }
  const columns: Float64Array[] = [];
  const order: Int32Array[] = [];
  for (let f = 0; f < cols; f++) {
    const col = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const v = data[i * cols + f] as number;
      if (!Number.isFinite(v)) {
        throw new ModelError(
          'DATA_INVALID_VALUE',
          `training matrix row ${i}, column ${f} is ${v}: the learner needs finite numbers`,
        );
      }
      col[i] = v;
    }
    const ids = new Int32Array(rows);
    for (let i = 0; i < rows; i++) ids[i] = i;
    ids.sort((a, b) => (col[a] as number) - (col[b] as number) || a - b);
    columns.push(col);
    order.push(ids);
  }
  for (let i = 0; i < rows; i++) {
    if (!Number.isFinite(y[i])) {
      throw new ModelError(
        'DATA_INVALID_VALUE',
        `target value ${i} is ${y[i]}: the learner needs finite numbers`,
      );
    }
  }
  return { rows, cols, columns, y, order };
}
