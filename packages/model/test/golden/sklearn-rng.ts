import type { Rng } from '../../src/core/rng';

/**
 * scikit-learn's splitter generator, ported for the golden test: `our_rand_r`, a 32-bit
 * xorshift (sklearn/utils/_random.pxd), reduced modulo RAND_R_MAX + 1, and `rand_int(low,
 * high) = low + our_rand_r() % (high - low)` (sklearn/tree/_utils.pyx). Seeded with the
 * splitter's `rand_r_state`, it reproduces the order in which scikit-learn draws features at
 * every node, so ties between equally good features are broken the same way.
 */
const RAND_R_MAX_PLUS_1 = 2 ** 31;

export function sklearnRng(randRSeed: number): Rng {
  let state = randRSeed >>> 0;
  const next = (): number => {
    if (state === 0) state = 1; // DEFAULT_SEED
    state = (state ^ (state << 13)) >>> 0;
    state = (state ^ (state >>> 17)) >>> 0;
    state = (state ^ (state << 5)) >>> 0;
    return state % RAND_R_MAX_PLUS_1;
  };
  return {
    next: () => next() / RAND_R_MAX_PLUS_1,
    int: (maxExclusive) => next() % maxExclusive,
  };
}
