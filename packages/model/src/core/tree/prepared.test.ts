import { createRng } from '../rng';
import { argsort, prepareData } from './prepared';

/** The definition: ascending value, ties (-0 and 0 included) by row id. */
function reference(col: Float64Array): Int32Array {
  const ids = Int32Array.from(col, (_, i) => i);
  return ids.sort((a, b) => (col[a] as number) - (col[b] as number) || a - b);
}

describe('argsort (radix sort of the presorted row lists)', () => {
  it.each([
    ['few distinct values', (r: () => number) => Math.round(r() * 20) / 4],
    ['signed reals', (r: () => number) => (r() - 0.5) * 1e6],
    ['tiny and huge magnitudes', (r: () => number) => (r() < 0.5 ? -1 : 1) * r() ** 40 * 1e300],
    ['zeros of both signs', (r: () => number) => (r() < 0.5 ? -0 : r() < 0.5 ? 0 : r() - 0.5)],
    ['one value', () => 3.25],
  ])('orders rows as a comparator sort does: %s', (_name, draw) => {
    const rng = createRng(7);
    for (const n of [1, 2, 17, 1000]) {
      const col = Float64Array.from({ length: n }, () => draw(() => rng.next()));
      expect(Array.from(argsort(col))).toEqual(Array.from(reference(col)));
    }
  });

  it('handles infinities and subnormals', () => {
    const col = Float64Array.from([Infinity, -Infinity, 5e-324, -5e-324, 0, -0, 1, -1]);
    expect(Array.from(argsort(col))).toEqual(Array.from(reference(col)));
  });

  it('prepareData presorts every column', () => {
    const x = { data: Float64Array.from([3, 1, 1, 2, 2, 0]), rows: 3, cols: 2 };
    const data = prepareData(x, Float64Array.from([1, 2, 3]));
    expect(data.order.map((o) => Array.from(o))).toEqual([
      [1, 2, 0],
      [2, 0, 1],
    ]);
  });
});
