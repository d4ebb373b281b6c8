/**
 * Runs `task` over `items` with at most `limit` in flight, results in input order. The first
 * failure stops new tasks from starting and is rethrown once the running ones settle.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const state: { next: number; failure?: { error: unknown } } = { next: 0 };
  async function worker(): Promise<void> {
    while (state.failure === undefined && state.next < items.length) {
      const index = state.next++;
      try {
        results[index] = await task(items[index] as T, index);
      } catch (error) {
        state.failure ??= { error };
      }
    }
  }
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  if (state.failure) throw state.failure.error;
  return results;
}

const DEFAULT_TRANSFER_CONCURRENCY = 4;

export function concurrencyOrDefault(value: number | undefined): number {
  return value === undefined || value < 1 ? DEFAULT_TRANSFER_CONCURRENCY : Math.floor(value);
}
