import { ModelError } from '../errors';

/**
 * Seeded pseudo-random numbers for splits, bootstrap samples and random search.
 *
 * Algorithm: mulberry32 (Tommy Ettinger, public domain) — a 32-bit state, 32-bit output
 * generator built only from `Math.imul` and shifts, so the sequence is identical on every
 * platform and Node version. Its period is 2^32, far more draws than a training run makes
 * (splits, bootstraps, feature sampling); it is not cryptographic.
 */
export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, maxExclusive); `maxExclusive` must be a positive integer ≤ 2^32. */
  int(maxExclusive: number): number;
}

const TWO_POW_32 = 4294967296;

/** Creates a mulberry32 generator; the same seed always yields the same sequence. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) {
    throw new ModelError('PARAMS_INVALID', `rng seed must be a finite number, got ${seed}`);
  }
  // Seeds are reduced to 32 bits; integers keep their low bits, so seeds 0..2^32-1 are distinct.
  let state = Math.trunc(seed) >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    next: () => nextUint32() / TWO_POW_32,
    int: (maxExclusive: number) => {
      if (!Number.isInteger(maxExclusive) || maxExclusive <= 0 || maxExclusive > TWO_POW_32) {
        throw new ModelError(
          'PARAMS_INVALID',
          `rng.int bound must be an integer in 1..2^32, got ${maxExclusive}`,
        );
      }
      // Floor of a [0,1) float: bias is below 2^-32 * maxExclusive, negligible at our sizes.
      return Math.floor((nextUint32() / TWO_POW_32) * maxExclusive);
    },
  };
}

/** Fisher–Yates shuffle driven by `rng`; deterministic for a given seed and length. */
// The agreed API (notes/model-api.md) spells the element type out for callers' readability.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function shuffleInPlace<T>(arr: T[] | Int32Array | Uint32Array, rng: Rng): void {
  // One view for arrays and typed arrays: a swap never changes an element's type.
  const view = arr as unknown as { [index: number]: unknown; length: number };
  for (let i = view.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = view[i];
    view[i] = view[j];
    view[j] = tmp;
  }
}
