/**
 * Constants of PostgreSQL's binary COPY format (docs, "COPY — Binary Format") shared by the
 * row encoders (copy-write.ts, encoded-queue.ts) and the batch encoder (batch-copy.ts).
 */

/** The 11-byte signature that starts every binary COPY payload. */
export const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, then int32 flags (0) and int32 header-extension length (0). */
export const COPY_HEADER = Buffer.concat([COPY_SIGNATURE, Buffer.alloc(8)]);
/** The int16 −1 that ends the payload. */
export const COPY_TRAILER = Buffer.from([0xff, 0xff]);
/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix ms. */
export const PG_EPOCH_MS = 946_684_800_000;
