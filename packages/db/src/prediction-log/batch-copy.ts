/**
 * Turns a batch of queued rows (EncodedRowQueue: each row in binary COPY row format, encoded
 * when the request was answered) into the binary COPY payload of `prediction_log_batch`: one
 * table row per endpoint and model in the batch, each column an array of the rows' values.
 *
 * An array field in binary COPY is int32 dimensions (1), int32 has-nulls (0), int32 element
 * type OID, int32 length, int32 lower bound (1), then per element an int32 byte length and
 * the value, which is exactly how a field of a COPY row is written. So each element is the
 * row's field copied as it is: no value is decoded or re-encoded.
 */
import { FEATURE_NAMES } from '@wine/model';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { COPY_HEADER, COPY_TRAILER, PG_EPOCH_MS } from './copy-format';
import { batchBytes } from './encoded-queue';
import type { EncodedBatch } from './encoded-queue';
import { REQUEST_ID_TIME_TOLERANCE_MS } from './request-id-time';

export const BATCH_COLUMNS = [
  'endpoint',
  'model_name',
  'model_version',
  'model_source',
  'first_at',
  'last_at',
  'rows',
  'request_id_from',
  'request_id_to',
  'other_request_ids',
  'request_id',
  'row_index',
  'predicted_at',
  ...FEATURE_NAMES,
  'wine_type',
  'prediction',
] as const;

/** Most rows in one stored batch: a prediction's id is (batch id << 16) | its position. */
export const MAX_BATCH_ROWS = 65_536;

export const BATCH_COPY_SQL = `COPY prediction_log_batch (${BATCH_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`;

const OID = { text: 25, int4: 23, float8: 701, timestamptz: 1184 } as const;
/** Array header: dimensions, has-nulls, element type, length, lower bound. */
const ARRAY_HEADER = 20;
const FEATURES = FEATURE_NAMES.length;
const TWO_32 = 2 ** 32;
const TOLERANCE_MICROS = REQUEST_ID_TIME_TOLERANCE_MS * 1000;

/** The rows of one endpoint and model, as offsets into the batch's parts. */
interface Group {
  readonly meta: Buffer;
  /** Per row: which part holds it, where its request id's length field is, where its row_index field is. */
  readonly part: Int32Array;
  readonly id: Int32Array;
  readonly fix: Int32Array;
  n: number;
  idBytes: number;
  wineBytes: number;
  first: number;
  last: number;
  /** Span of the findable request-id times, µs since PostgreSQL's epoch. */
  idFrom: number;
  idTo: number;
  /** Distinct ids not findable by time (`other_request_ids`). */
  readonly others: Set<string>;
  othersBytes: number;
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[65 + i] = HEX[97 + i] = 10 + i;

/**
 * The ms time of a version 7 UUID in bytes [o, o + 36), or -1 (request-id-time.ts's
 * requestIdTime over bytes, without making a string per row).
 */
function uuidV7Time(buf: Buffer, o: number): number {
  let t = 0;
  for (let k = 0; k < 36; k++) {
    const c = buf[o + k] as number;
    if (k === 8 || k === 13 || k === 18 || k === 23) {
      if (c !== 45) return -1;
      continue;
    }
    const v = c < 128 ? (HEX[c] as number) : -1;
    if (v < 0) return -1;
    if (k === 14 && v !== 7) return -1;
    if (k === 19 && (v < 8 || v > 11)) return -1;
    if (k < 13) t = t * 16 + v;
  }
  return t;
}

function int32(b: Buffer, o: number): number {
  return (
    ((b[o] as number) << 24) |
    ((b[o + 1] as number) << 16) |
    ((b[o + 2] as number) << 8) |
    (b[o + 3] as number)
  );
}

/** An int64 (µs) as a number: exact below 2^53 µs, ~285 years from 2000. */
function int64(b: Buffer, o: number): number {
  return int32(b, o) * TWO_32 + (int32(b, o + 4) >>> 0);
}

function sameBytes(a: Buffer, b: Buffer, o: number): boolean {
  return a.compare(b, o, o + a.length) === 0;
}

/** Per-row offset arrays an encoder keeps for its first group (usually the only one). */
interface RowScratch {
  part: Int32Array;
  id: Int32Array;
  fix: Int32Array;
}

function newGroup(meta: Buffer, capacity: number, at: number, scratch?: RowScratch): Group {
  return {
    meta,
    // Fresh typed arrays per batch are external memory to V8, which counted them towards
    // starting a collection; the first group reuses the encoder's.
    part: scratch?.part.subarray(0, capacity) ?? new Int32Array(capacity),
    id: scratch?.id.subarray(0, capacity) ?? new Int32Array(capacity),
    fix: scratch?.fix.subarray(0, capacity) ?? new Int32Array(capacity),
    n: 0,
    idBytes: 0,
    wineBytes: 0,
    first: at,
    last: at,
    idFrom: Infinity,
    idTo: -Infinity,
    others: new Set(),
    othersBytes: 0,
  };
}

/** Groups the batch's rows by endpoint and model, in the order each first appears. */
function groupRows(parts: readonly Buffer[], rows: number, scratch?: RowScratch): Group[] {
  const groups: Group[] = [];
  let g: Group | undefined;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p] as Buffer;
    let o = 0;
    while (o < part.length) {
      const id = o + 2;
      const idLen = int32(part, id);
      const fix = id + 4 + idLen;
      const at = int64(part, fix + 12);
      const meta = fix + 20;
      let m = meta;
      for (let f = 0; f < 4; f++) m += 4 + int32(part, m);
      const wineLen = int32(part, m + FEATURES * 12);
      if (g === undefined || g.meta.length !== m - meta || !sameBytes(g.meta, part, meta)) {
        g = groups.find((x) => x.meta.length === m - meta && sameBytes(x.meta, part, meta));
        if (g === undefined) {
          const meta1 = Buffer.from(part.subarray(meta, m));
          g = newGroup(meta1, rows, at, groups.length === 0 ? scratch : undefined);
          groups.push(g);
        }
      }
      const k = g.n++;
      g.part[k] = p;
      g.id[k] = id;
      g.fix[k] = fix;
      g.idBytes += 4 + idLen;
      g.wineBytes += 4 + wineLen;
      if (at < g.first) g.first = at;
      if (at > g.last) g.last = at;
      const t = idLen === 36 ? uuidV7Time(part, id + 4) : -1;
      const tMicros = t < 0 ? NaN : (t - PG_EPOCH_MS) * 1000;
      if (Math.abs(at - tMicros) <= TOLERANCE_MICROS) {
        if (tMicros < g.idFrom) g.idFrom = tMicros;
        if (tMicros > g.idTo) g.idTo = tMicros;
      } else {
        const text = part.toString('utf8', id + 4, id + 4 + idLen);
        if (!g.others.has(text)) {
          g.others.add(text);
          g.othersBytes += 4 + idLen;
        }
      }
      o = m + FEATURES * 12 + 4 + wineLen + 12;
    }
  }
  return groups;
}

/** Bytes of one group's COPY row. */
function groupSize(g: Group): number {
  const n = g.n;
  const idSpan = g.idFrom <= g.idTo ? 24 : 8;
  const others = g.others.size === 0 ? 4 + 12 : 4 + ARRAY_HEADER + g.othersBytes;
  const arrays = (elementBytes: number): number => 4 + ARRAY_HEADER + elementBytes;
  return (
    2 +
    g.meta.length +
    12 * 2 +
    8 +
    idSpan +
    others +
    arrays(g.idBytes) +
    arrays(n * 8) +
    arrays(n * 12) * (2 + FEATURES) +
    arrays(g.wineBytes)
  );
}

function putInt32(out: Buffer, o: number, v: number): number {
  out[o] = v >>> 24;
  out[o + 1] = v >>> 16;
  out[o + 2] = v >>> 8;
  out[o + 3] = v;
  return o + 4;
}

/** An int64 field (timestamptz as µs): length 8, then the value. */
function putInt64Field(out: Buffer, o: number, v: number): number {
  const hi = Math.floor(v / TWO_32);
  o = putInt32(out, o, 8);
  o = putInt32(out, o, hi);
  return putInt32(out, o, v - hi * TWO_32);
}

/** An array field's length and header (an empty array has no dimensions). */
function putArrayHeader(out: Buffer, o: number, oid: number, n: number, bytes: number): number {
  o = putInt32(out, o, n === 0 ? 12 : ARRAY_HEADER + bytes);
  o = putInt32(out, o, n === 0 ? 0 : 1);
  o = putInt32(out, o, 0);
  o = putInt32(out, o, oid);
  if (n === 0) return o;
  o = putInt32(out, o, n);
  return putInt32(out, o, 1);
}

/** Copies `len` bytes, four at a time while it can. */
function copyBytes(src: DataView, s: number, out: DataView, o: number, len: number): void {
  let k = 0;
  for (; k + 4 <= len; k += 4) out.setInt32(o + k, src.getInt32(s + k));
  for (; k < len; k++) out.setUint8(o + k, src.getUint8(s + k));
}

function copy12(src: DataView, s: number, out: DataView, o: number): void {
  out.setInt32(o, src.getInt32(s));
  out.setInt32(o + 4, src.getInt32(s + 4));
  out.setInt32(o + 8, src.getInt32(s + 8));
}

/**
 * Writes one group's COPY row. The fixed fields first, then each array's header; the rows'
 * values are then scattered in one pass over the rows (each row read once, in order), each
 * to the next free place in its column.
 */
function writeGroup(out: Buffer, o: number, parts: readonly Buffer[], g: Group): number {
  const { n, part, fix } = g;
  const metaLen = g.meta.length;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const views = parts.map((p) => new DataView(p.buffer, p.byteOffset, p.byteLength));
  out[o++] = 0;
  out[o++] = BATCH_COLUMNS.length;
  o += g.meta.copy(out, o);
  o = putInt64Field(out, o, g.first);
  o = putInt64Field(out, o, g.last);
  o = putInt32(out, o, 4);
  o = putInt32(out, o, n);
  if (g.idFrom <= g.idTo) {
    o = putInt64Field(out, o, g.idFrom);
    o = putInt64Field(out, o, g.idTo);
  } else {
    o = putInt32(out, o, -1);
    o = putInt32(out, o, -1);
  }
  o = putArrayHeader(out, o, OID.text, g.others.size, g.othersBytes);
  for (const text of g.others) {
    const len = out.write(text, o + 4, 'utf8');
    o = putInt32(out, o, len) + len;
  }
  // Where each column's elements start: request_id, row_index, predicted_at, the features,
  // wine_type, prediction.
  let ids = putArrayHeader(out, o, OID.text, n, g.idBytes);
  let rowIndex = putArrayHeader(out, ids + g.idBytes, OID.int4, n, n * 8);
  let at = putArrayHeader(out, rowIndex + n * 8, OID.timestamptz, n, n * 12);
  const features = new Int32Array(FEATURES);
  let next = at + n * 12;
  for (let f = 0; f < FEATURES; f++) {
    features[f] = putArrayHeader(out, next, OID.float8, n, n * 12);
    next = (features[f] as number) + n * 12;
  }
  let wine = putArrayHeader(out, next, OID.text, n, g.wineBytes);
  let prediction = putArrayHeader(out, wine + g.wineBytes, OID.float8, n, n * 12);
  const end = prediction + n * 12;
  for (let r = 0; r < n; r++) {
    const src = views[part[r] as number] as DataView;
    const f0 = fix[r] as number;
    const idLen = src.getInt32(g.id[r] as number) + 4;
    copyBytes(src, g.id[r] as number, view, ids, idLen);
    ids += idLen;
    view.setInt32(rowIndex, src.getInt32(f0));
    view.setInt32(rowIndex + 4, src.getInt32(f0 + 4));
    rowIndex += 8;
    copy12(src, f0 + 8, view, at);
    at += 12;
    let s = f0 + 20 + metaLen;
    const at12 = r * 12;
    for (let f = 0; f < FEATURES; f++, s += 12)
      copy12(src, s, view, (features[f] as number) + at12);
    const wineLen = src.getInt32(s) + 4;
    copyBytes(src, s, view, wine, wineLen);
    wine += wineLen;
    copy12(src, s + wineLen, view, prediction);
    prediction += 12;
  }
  return end;
}

/**
 * Encodes batches into one reused buffer: a fresh ~0.4 MB buffer per batch is a new mmap'd
 * allocation with page faults on first write, which cost the worker more than the encoding
 * (bench/profiles/service-tail.md). A payload stays valid until the next encode, so the
 * caller must not encode again while a write of the last payload may still read it.
 */
export class BatchEncoder {
  private scratch = Buffer.alloc(0);
  private rows: RowScratch = {
    part: new Int32Array(0),
    id: new Int32Array(0),
    fix: new Int32Array(0),
  };

  /** The binary COPY payload of `prediction_log_batch` for the queued rows of `batch`. */
  encode(batch: EncodedBatch): Buffer {
    if (batch.rows > MAX_BATCH_ROWS) {
      throw new RangeError(
        `a stored batch holds at most ${MAX_BATCH_ROWS} rows, not ${batch.rows}`,
      );
    }
    const parts = batchBytes(batch);
    if (this.rows.part.length < batch.rows) {
      const n = Math.max(batch.rows, 2 * this.rows.part.length);
      this.rows = { part: new Int32Array(n), id: new Int32Array(n), fix: new Int32Array(n) };
    }
    const groups = groupRows(parts, batch.rows, this.rows);
    let size = COPY_HEADER.length + COPY_TRAILER.length;
    for (const g of groups) size += groupSize(g);
    if (this.scratch.length < size)
      this.scratch = Buffer.allocUnsafeSlow(Math.max(size, this.scratch.length * 2));
    const out = this.scratch;
    let o = COPY_HEADER.copy(out, 0);
    for (const g of groups) o = writeGroup(out, o, parts, g);
    o += COPY_TRAILER.copy(out, o);
    if (o !== size) throw new Error(`batch COPY payload is ${o} bytes, expected ${size}`);
    return out.subarray(0, size);
  }
}

/**
 * A write method for the log writer: one binary COPY per batch, encoded into a buffer reused
 * from write to write. A write abandoned on timeout may still hold its payload, so the next
 * write then encodes into a new buffer.
 */
export function createBatchCopier(): (client: PoolClient, batch: EncodedBatch) => Promise<void> {
  let encoder = new BatchEncoder();
  let inFlight = false;
  return async (client, batch) => {
    if (inFlight) encoder = new BatchEncoder();
    const mine = encoder;
    const payload = mine.encode(batch);
    inFlight = true;
    try {
      const stream = client.query(copyFrom(BATCH_COPY_SQL));
      await pipeline(Readable.from([payload]), stream);
    } finally {
      if (encoder === mine) inFlight = false;
    }
  };
}
