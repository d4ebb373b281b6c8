import { ModelError, createRng, shuffleInPlace } from '@wine/model';

describe('createRng (mulberry32)', () => {
  it('matches the reference mulberry32 sequence', () => {
    // Values from the published reference implementation (bryc/code, PRNGs.md) for seeds 42 and 0.
    const rng = createRng(42);
    const raw = [rng.next(), rng.next(), rng.next(), rng.next()].map((v) => v * 2 ** 32);
    expect(raw).toEqual([2581720956, 1925393290, 3661312704, 2876485805]);
    const zero = createRng(0);
    expect([zero.next(), zero.next()].map((v) => v * 2 ** 32)).toEqual([1144304738, 1416247]);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
  });

  it('int() stays in range and covers every value', () => {
    const rng = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = rng.int(7);
      expect(Number.isInteger(v) && v >= 0 && v < 7).toBe(true);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
  });

  it.each([0, -1, 1.5, Number.NaN])('int(%p) throws', (bound) => {
    expect(() => createRng(1).int(bound)).toThrow(ModelError);
  });

  it('rejects a non-finite seed', () => {
    expect(() => createRng(Number.NaN)).toThrow(ModelError);
  });
});

describe('shuffleInPlace', () => {
  it('permutes arrays and typed arrays identically for the same seed', () => {
    const plain = Array.from({ length: 50 }, (_, i) => i);
    const typed = Int32Array.from(plain);
    shuffleInPlace(plain, createRng(3));
    shuffleInPlace(typed, createRng(3));
    expect(Array.from(typed)).toEqual(plain);
    expect([...plain].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(plain).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
