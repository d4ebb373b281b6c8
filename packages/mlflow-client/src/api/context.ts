import type { Transport } from '../transport';

/** What every API module gets: the one transport plus an injectable clock. */
export interface ApiContext {
  readonly transport: Transport;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export type TagsInput = Readonly<Record<string, string>>;

export function tagList(tags: TagsInput | undefined): { key: string; value: string }[] {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));
}
