/** Synthetic wine CSVs for CLI tests: quality follows alcohol (learnable) unless `signal` is false. */
import { FEATURE_NAMES } from '@wine/model';

export function syntheticCsv(rows: number, seed: number, signal = true): string {
  const header = [...FEATURE_NAMES, 'wine_type', 'quality'].join(',');
  const lines = [header];
  let state = seed;
  const rand = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (let i = 0; i < rows; i++) {
    const alcohol = 8 + rand() * 6;
    const values = FEATURE_NAMES.map((name) => {
      if (name === 'alcohol') return alcohol.toFixed(2);
      if (name === 'density') return (0.99 + rand() * 0.01).toFixed(4);
      if (name === 'ph') return (3 + rand() * 0.6).toFixed(2);
      return (rand() * 10).toFixed(3);
    });
    const driver = signal ? alcohol : 8 + rand() * 6;
    const quality = Math.min(9, Math.max(3, Math.round(driver - 4 + rand())));
    lines.push([...values, i % 3 === 0 ? 'red' : 'white', quality].join(','));
  }
  return lines.join('\n') + '\n';
}
