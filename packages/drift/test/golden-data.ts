/**
 * Rebuilds the golden cases' samples from their recipes with @wine/model's mulberry32, in
 * the same float operations as golden/generate_cases.py, so the arrays are bit-identical.
 */
import { createRng } from '@wine/model';

export interface Recipe {
  seed: number;
  n: number;
  dist: 'normal4' | 'uniform' | 'levels';
  loc: number;
  scale: number;
  levels?: number;
}

export type SampleSpec = number[] | Recipe;

export function generate(recipe: Recipe): Float64Array {
  const rng = createRng(recipe.seed);
  const out = new Float64Array(recipe.n);
  for (let i = 0; i < recipe.n; i++) {
    if (recipe.dist === 'normal4') {
      const u = rng.next() + rng.next() + rng.next() + rng.next() - 2;
      out[i] = u * recipe.scale + recipe.loc;
    } else if (recipe.dist === 'uniform') {
      out[i] = rng.next() * recipe.scale + recipe.loc;
    } else {
      out[i] = Math.floor(rng.next() * (recipe.levels ?? 1)) * recipe.scale + recipe.loc;
    }
  }
  return out;
}

export function sample(spec: SampleSpec): Float64Array {
  return Array.isArray(spec) ? Float64Array.from(spec) : generate(spec);
}

export function expand(counts: Record<string, number>): string[] {
  return Object.entries(counts).flatMap(([label, n]) => Array<string>(n).fill(label));
}
