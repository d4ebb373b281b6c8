/**
 * The binary COPY row format the queue holds rows in (encoded-queue.ts encodes them at
 * enqueue; batch-copy.ts turns a batch of them into `prediction_log_batch` arrays). This
 * module is the plain, per-entry encoder of the same bytes, the reference the queue's tests
 * compare with.
 *
 * Binary COPY format (PostgreSQL docs, "COPY — Binary Format"): an 11-byte signature, flags
 * and extension length (int32 0, 0); per row an int16 field count and per field an int32
 * length then the value in network byte order (int4, float8, timestamptz as int64
 * microseconds since 2000-01-01 UTC, text as UTF-8); an int16 −1 trailer.
 */
import { FEATURE_NAMES } from '@wine/model';
import { LOG_COLUMNS } from './entry';
import type { EntrySlice } from './entry';
import { COPY_HEADER, COPY_TRAILER, PG_EPOCH_MS } from './copy-format';
import { batchBytes } from './encoded-queue';
import type { EncodedBatch } from './encoded-queue';

const FIELDS = LOG_COLUMNS.length;

interface EntryHeader {
  readonly requestId: Buffer;
  readonly endpoint: Buffer;
  readonly name: Buffer;
  readonly version: Buffer;
  readonly source: Buffer;
  readonly micros: bigint;
}

const WINE_TYPES = { red: Buffer.from('red'), white: Buffer.from('white') } as const;

/** Encodes the slices as one binary COPY payload (header, rows, trailer). */
export function encodeCopyBinary(slices: readonly EntrySlice[]): Buffer {
  const headers: EntryHeader[] = [];
  let size = COPY_HEADER.length + COPY_TRAILER.length;
  for (const { entry, start, end } of slices) {
    const h: EntryHeader = {
      requestId: Buffer.from(entry.requestId, 'utf8'),
      endpoint: Buffer.from(entry.endpoint, 'utf8'),
      name: Buffer.from(entry.model.name, 'utf8'),
      version: Buffer.from(entry.model.version, 'utf8'),
      source: Buffer.from(entry.model.source, 'utf8'),
      micros: BigInt(Math.round((entry.receivedAt - PG_EPOCH_MS) * 1000)),
    };
    headers.push(h);
    const fixed =
      2 +
      FIELDS * 4 +
      h.requestId.length +
      4 +
      8 +
      h.endpoint.length +
      h.name.length +
      h.version.length +
      h.source.length +
      FEATURE_NAMES.length * 8 +
      8;
    for (let i = start; i < end; i++) {
      size += fixed + (entry.records[i]?.wine_type === 'white' ? 5 : 3);
    }
  }
  const buf = Buffer.allocUnsafe(size);
  let o = COPY_HEADER.copy(buf, 0);
  const bytes = (b: Buffer): void => {
    o = buf.writeInt32BE(b.length, o);
    o += b.copy(buf, o);
  };
  const float8 = (v: number): void => {
    o = buf.writeInt32BE(8, o);
    o = buf.writeDoubleBE(v, o);
  };
  slices.forEach(({ entry, start, end }, k) => {
    const h = headers[k] as EntryHeader;
    for (let i = start; i < end; i++) {
      const r = entry.records[i];
      const p = entry.predictions[i];
      if (r === undefined || p === undefined) continue;
      o = buf.writeInt16BE(FIELDS, o);
      bytes(h.requestId);
      o = buf.writeInt32BE(4, o);
      o = buf.writeInt32BE(i, o);
      o = buf.writeInt32BE(8, o);
      o = buf.writeBigInt64BE(h.micros, o);
      bytes(h.endpoint);
      bytes(h.name);
      bytes(h.version);
      bytes(h.source);
      for (const name of FEATURE_NAMES) float8(r[name]);
      bytes(WINE_TYPES[r.wine_type]);
      float8(p);
    }
  });
  o += COPY_TRAILER.copy(buf, o);
  return buf.subarray(0, o);
}

/** The queued rows of a batch as one binary COPY payload (header, rows, trailer). */
export function encodedCopyPayload(batch: EncodedBatch): Buffer {
  return Buffer.concat([COPY_HEADER, ...batchBytes(batch), COPY_TRAILER]);
}
