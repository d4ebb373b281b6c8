/**
 * A bounded FIFO of prediction-log rows held as bytes: each row is encoded into the binary
 * COPY row format (see copy-write.ts) when it is enqueued, into large shared chunks, so the
 * request's own objects (parsed record, predictions, request id) die young instead of
 * waiting ~a batch interval in the queue. Profiled under wrk (bench/profiles/): the object
 * queue made the garbage collector copy every queued event out of the young generation, and
 * encoding 2,000 objects at once was the other half of the log's per-request cost.
 *
 * Row boundaries are kept (each chunk lists where its rows end), so taking a batch,
 * putting it back after a failed write and dropping the oldest rows all work in whole rows,
 * exactly as the object queue (row-queue.ts) does. The bytes are identical to what
 * `encodeCopyBinary` writes for the same entries (tested).
 */
import { FEATURE_NAMES } from '@wine/model';
import type { WineRecord } from '@wine/model';
import { PG_EPOCH_MS } from './copy-format';
import type { PredictionLogEntry } from './entry';
import { LOG_COLUMNS } from './entry';

const FIELDS = LOG_COLUMNS.length;
const TWO_32 = 2 ** 32;
/** Bytes per chunk; a row larger than this (a very long request id) gets a chunk of its own. */
const CHUNK_BYTES = 64 * 1024;
const WINE_TYPE_BYTES = { red: Buffer.from('red'), white: Buffer.from('white') } as const;
/** Validated records are red or white; anything else is written as its text, as before. */
function wineTypeBytes(t: string): Buffer {
  if (t === 'red') return WINE_TYPE_BYTES.red;
  return t === 'white' ? WINE_TYPE_BYTES.white : Buffer.from(t, 'utf8');
}
/**
 * The eleven features as length-prefixed float8 fields, in FEATURE_NAMES order (the COPY
 * column order), read by name: a loop over FEATURE_NAMES reads `record[name]` with a
 * variable key, a generic keyed lookup per feature that was most of push()'s time
 * (bench/profiles/service-tail.md). Returns the offset after the last field. The encoded
 * tests compare these bytes with encodeCopyBinary's, which loops over FEATURE_NAMES.
 */
function writeFeatures(view: DataView, o: number, r: WineRecord): number {
  float8(view, o, r.fixed_acidity);
  float8(view, o + 12, r.volatile_acidity);
  float8(view, o + 24, r.citric_acid);
  float8(view, o + 36, r.residual_sugar);
  float8(view, o + 48, r.chlorides);
  float8(view, o + 60, r.free_sulfur_dioxide);
  float8(view, o + 72, r.total_sulfur_dioxide);
  float8(view, o + 84, r.density);
  float8(view, o + 96, r.ph);
  float8(view, o + 108, r.sulphates);
  float8(view, o + 120, r.alcohol);
  return o + 132;
}
/** Every UTF-16 unit below 0x80 (then the UTF-8 bytes are the char codes). */
function isAscii(s: string): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) > 0x7f) return false;
  return true;
}
/** One float8 field: its length (8), then the value in network byte order. */
function float8(view: DataView, o: number, v: number): void {
  view.setInt32(o, 8);
  view.setFloat64(o + 4, v);
}
/** Per row, besides the strings: field count, 19 lengths, int4, int64, 13 float8. */
const FIXED_ROW_BYTES = 2 + FIELDS * 4 + 4 + 8 + (FEATURE_NAMES.length + 1) * 8;

interface Chunk {
  readonly buf: Buffer;
  readonly view: DataView;
  /** Byte offset where each row ends; row i spans [ends[i-1] ?? 0, ends[i]). */
  readonly ends: number[];
  /** Rows neither written nor dropped yet; a closed chunk at 0 is reused. */
  pending: number;
  closed: boolean;
}

/** Rows [from, to) of a chunk. */
interface Segment {
  readonly chunk: Chunk;
  from: number;
  to: number;
}

/** Rows taken from the queue: their COPY row bytes, in order. */
export interface EncodedBatch {
  readonly rows: number;
  readonly segments: readonly Readonly<Segment>[];
}

/** The COPY bytes of a batch's rows (no header or trailer), as views of the queue's chunks. */
export function batchBytes(batch: EncodedBatch): Buffer[] {
  return batch.segments.map(({ chunk, from, to }) =>
    chunk.buf.subarray(from === 0 ? 0 : (chunk.ends[from - 1] as number), chunk.ends[to - 1]),
  );
}

function newChunk(minBytes: number): Chunk {
  const buf = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, minBytes));
  return {
    buf,
    view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
    ends: [],
    pending: 0,
    closed: false,
  };
}

/** Chunks kept for reuse: new ArrayBuffers per chunk showed up as GC work on V8's threads. */
const SPARE_CHUNKS = 16;

export class EncodedRowQueue {
  private segments: Segment[] = [];
  private head = 0;
  private count = 0;
  /** The chunk rows are appended to, and how many bytes of it are used. */
  private open: Segment | undefined;
  private used = 0;
  // endpoint, model name, version and source are adjacent columns and rarely change:
  // their four length-prefixed fields are encoded once per distinct combination.
  private readonly spare: Chunk[] = [];
  private metaKey: readonly string[] = [];
  private meta: Buffer = Buffer.alloc(0);

  get rows(): number {
    return this.count;
  }

  push(entry: PredictionLogEntry): void {
    const n = Math.min(entry.records.length, entry.predictions.length);
    if (n === 0) return;
    const meta = this.metaFor(entry);
    const id = entry.requestId;
    // Request ids are ASCII (the service's UUIDs and accepted X-Request-Id values): written
    // byte by byte, without two calls into C++ per row for the UTF-8 length and copy.
    const ascii = isAscii(id);
    const idBytes = ascii ? id.length : Buffer.byteLength(id, 'utf8');
    const micros = Math.round((entry.receivedAt - PG_EPOCH_MS) * 1000);
    const hi = Math.floor(micros / TWO_32);
    const lo = micros - hi * TWO_32;
    const base = FIXED_ROW_BYTES + idBytes + meta.length;
    for (let i = 0; i < n; i++) {
      const r = entry.records[i];
      const p = entry.predictions[i];
      if (r === undefined || p === undefined) continue;
      const wineType = wineTypeBytes(r.wine_type);
      const size = base + wineType.length;
      const seg = this.room(size);
      const { buf, view, ends } = seg.chunk;
      let o = this.used;
      view.setInt16(o, FIELDS);
      view.setInt32(o + 2, idBytes);
      o += 6;
      if (ascii) {
        for (let k = 0; k < idBytes; k++) buf[o + k] = id.charCodeAt(k);
        o += idBytes;
      } else {
        o += buf.write(id, o, idBytes, 'utf8');
      }
      view.setInt32(o, 4);
      view.setInt32(o + 4, i);
      view.setInt32(o + 8, 8);
      view.setInt32(o + 12, hi);
      view.setUint32(o + 16, lo);
      o += 20;
      buf.set(meta, o);
      o += meta.length;
      o = writeFeatures(view, o, r);
      view.setInt32(o, wineType.length);
      buf.set(wineType, o + 4);
      o += 4 + wineType.length;
      view.setInt32(o, 8);
      view.setFloat64(o + 4, p);
      o += 12;
      this.used = o;
      ends.push(o);
      seg.chunk.pending++;
      seg.to++;
      this.count++;
    }
  }

  /** Removes up to `max` rows from the head. */
  take(max: number): EncodedBatch {
    const out: Segment[] = [];
    let left = max;
    let rows = 0;
    while (left > 0 && this.head < this.segments.length) {
      const seg = this.segments[this.head] as Segment;
      const k = Math.min(left, seg.to - seg.from);
      if (k > 0) out.push({ chunk: seg.chunk, from: seg.from, to: seg.from + k });
      seg.from += k;
      left -= k;
      rows += k;
      if (seg.from === seg.to && seg !== this.open) this.head++;
      else if (seg.from === seg.to) break;
    }
    this.count -= rows;
    this.compact();
    return { rows, segments: out };
  }

  /** Puts a batch taken earlier back at the head, in order (a write failed). */
  putBack(batch: EncodedBatch): void {
    const back = batch.segments.map((s) => ({ chunk: s.chunk, from: s.from, to: s.to }));
    this.segments = [...back, ...this.segments.slice(this.head)];
    this.head = 0;
    this.count += batch.rows;
  }

  /** Discards the oldest `n` rows; returns how many were discarded. */
  dropOldest(n: number): number {
    const batch = this.take(n);
    this.done(batch);
    return batch.rows;
  }

  /**
   * A batch's rows were written (or dropped): chunks none of whose rows are queued or in
   * flight any more are reused for new rows. Call at most once per batch taken.
   */
  done(batch: EncodedBatch): void {
    for (const { chunk, from, to } of batch.segments) {
      chunk.pending -= to - from;
      this.recycle(chunk);
    }
  }

  private recycle(chunk: Chunk): void {
    if (!chunk.closed || chunk.pending !== 0) return;
    if (chunk.buf.length === CHUNK_BYTES && this.spare.length < SPARE_CHUNKS) {
      chunk.ends.length = 0;
      chunk.closed = false;
      this.spare.push(chunk);
    }
  }

  private metaFor(entry: PredictionLogEntry): Buffer {
    const { endpoint, model } = entry;
    const key = this.metaKey;
    if (
      key[0] === endpoint &&
      key[1] === model.name &&
      key[2] === model.version &&
      key[3] === model.source
    ) {
      return this.meta;
    }
    const fields = [endpoint, model.name, model.version, model.source].map((s) =>
      Buffer.from(s, 'utf8'),
    );
    const meta = Buffer.allocUnsafe(fields.reduce((sum, f) => sum + 4 + f.length, 0));
    let o = 0;
    for (const f of fields) {
      o = meta.writeInt32BE(f.length, o);
      o += f.copy(meta, o);
    }
    this.metaKey = [endpoint, model.name, model.version, model.source];
    this.meta = meta;
    return meta;
  }

  /** The open segment, with at least `size` free bytes (a new chunk when needed). */
  private room(size: number): Segment {
    const open = this.open;
    if (open !== undefined && open.chunk.buf.length - this.used >= size) return open;
    // A new chunk; a finished one stays in the queue as a closed segment.
    if (open !== undefined) {
      open.chunk.closed = true;
      this.recycle(open.chunk);
    }
    const spare = size <= CHUNK_BYTES ? this.spare.pop() : undefined;
    const seg: Segment = { chunk: spare ?? newChunk(size), from: 0, to: 0 };
    this.segments.push(seg);
    this.open = seg;
    this.used = 0;
    return seg;
  }

  private compact(): void {
    if (this.head === this.segments.length) {
      this.segments = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.segments.length) {
      this.segments = this.segments.slice(this.head);
      this.head = 0;
    }
  }
}
