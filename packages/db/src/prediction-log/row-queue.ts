/**
 * A bounded FIFO of prediction-log rows, kept as slices of the entries the service handed
 * over (no per-row copies). Capacity is counted in rows; the caller drops the oldest rows
 * when it is exceeded.
 */
import type { EntrySlice, PredictionLogEntry } from './entry';

interface Item {
  entry: PredictionLogEntry;
  start: number;
  end: number;
}

export class RowQueue {
  private items: Item[] = [];
  private head = 0;
  private count = 0;

  get rows(): number {
    return this.count;
  }

  push(entry: PredictionLogEntry): void {
    const n = Math.min(entry.records.length, entry.predictions.length);
    if (n === 0) return;
    this.items.push({ entry, start: 0, end: n });
    this.count += n;
  }

  /** Removes up to `max` rows from the head and returns them as slices. */
  take(max: number): EntrySlice[] {
    const out: EntrySlice[] = [];
    let left = max;
    while (left > 0 && this.head < this.items.length) {
      const item = this.items[this.head] as Item;
      const n = item.end - item.start;
      if (n <= left) {
        out.push({ entry: item.entry, start: item.start, end: item.end });
        this.head++;
        left -= n;
        this.count -= n;
      } else {
        out.push({ entry: item.entry, start: item.start, end: item.start + left });
        item.start += left;
        this.count -= left;
        left = 0;
      }
    }
    this.compact();
    return out;
  }

  /** Puts slices taken earlier back at the head, in order (a write failed). */
  putBack(slices: readonly EntrySlice[]): void {
    const back = slices.map((s) => ({ entry: s.entry, start: s.start, end: s.end }));
    this.items = [...back, ...this.items.slice(this.head)];
    this.head = 0;
    for (const s of slices) this.count += s.end - s.start;
  }

  /** Discards the oldest `n` rows; returns how many were discarded. */
  dropOldest(n: number): number {
    return this.take(n).reduce((sum, s) => sum + s.end - s.start, 0);
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
