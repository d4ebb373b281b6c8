/**
 * Builders for headline rows (see HeadlineRow in registry.ts): the ratio is computed here,
 * one way for times (ours ÷ peer, "of the time": smaller is better) and one for rates
 * (ours ÷ peer, "× the rate": bigger is better), and a peer that did not run leaves the row
 * with our number alone.
 */
import type { HeadlineRow } from './registry';
import { ratioOf } from './results';

type Goal = NonNullable<HeadlineRow['goal']>;

interface RowInput {
  readonly id: string;
  readonly label: string;
  readonly ours: number;
  readonly unit: string;
  /** The peer's name (with its version) and its number, or undefined when it did not run. */
  readonly peer?: { readonly name: string; readonly value: number } | undefined;
  /** Left out (undefined) when the run is smaller than the size the goal is set for. */
  readonly goal?: Goal | undefined;
  readonly threads?: string;
}

/** ours ÷ peer with the given meaning ("of the peer's error", …). */
export function ratioRow(input: RowInput, meaning: string): HeadlineRow {
  const peer =
    input.peer !== undefined && Number.isFinite(input.peer.value) ? input.peer : undefined;
  const ratio = peer === undefined ? null : ratioOf(input.ours, peer.value);
  return {
    id: input.id,
    label: input.label,
    ours: { value: input.ours, unit: input.unit },
    ...(peer === undefined
      ? {}
      : { peer: { name: peer.name, value: peer.value, unit: input.unit } }),
    ...(ratio === null ? {} : { ratio: { value: ratio, meaning } }),
    ...(input.goal === undefined ? {} : { goal: input.goal }),
    ...(input.threads === undefined ? {} : { threads: input.threads }),
  };
}

/** A duration: ratio = ours ÷ peer, "of the time". */
export const timeRow = (input: RowInput): HeadlineRow => ratioRow(input, 'of the time');

/** A rate: ratio = ours ÷ peer, "× the rate". */
export const rateRow = (input: RowInput): HeadlineRow => ratioRow(input, '× the rate');

/** A number with no peer (its goal, if any, is on the number itself). */
export const valueRow = (input: Omit<RowInput, 'peer'>): HeadlineRow => ratioRow(input, '');

export const goal = (op: Goal['op'], value: number, text: string): Goal => ({ op, value, text });

/** A field of an untyped peer result, when it is a string. */
export function peerField(peer: unknown, ...keys: string[]): string | undefined {
  let v: unknown = peer;
  for (const k of keys)
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'string' ? v : undefined;
}
