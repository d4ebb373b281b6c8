/**
 * One interface over local files and Blob storage, so every tool (data CLI, train, pipeline
 * ingest, batch scoring) reads and writes `Location`s the same way: listed in name order,
 * read as streams (byte ranges for partitions), written atomically — nothing appears under
 * the target name until `commit()`, so a failed or killed writer leaves no half file.
 */
import type { Readable, Writable } from 'node:stream';
import type { Location } from './location';

export interface ObjectInfo {
  readonly location: Location;
  /** Path relative to the listed folder (for a single file: its name). */
  readonly name: string;
  readonly size: number;
  /** Content-MD5 as Blob storage keeps it (base64), when known. */
  readonly contentMd5?: string;
  /** sha256 (hex) from the blob's metadata, when it was uploaded with one. */
  readonly sha256?: string;
}

/** Bytes [start, end) of an object; without `end`, to its end. */
export interface ByteRange {
  readonly start: number;
  readonly end?: number;
}

export interface WriterOptions {
  /** Blob metadata (ASCII names); ignored for local files. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly contentType?: string;
}

export interface WrittenObject {
  readonly location: Location;
  readonly bytes: number;
  readonly sha256: string;
  /** base64, Blob storage's Content-MD5 form. */
  readonly md5: string;
}

export interface CommitOptions {
  readonly verify?: (written: WrittenObject) => void;
}

export interface AtomicWriter {
  /** Bytes go here (backpressure applies); nothing is visible under the target until commit(). */
  readonly stream: Writable;
  /**
   * Ends the stream if needed and publishes the object under its name (rename / commit block
   * list). `verify` sees the digests first; if it throws, nothing is published.
   */
  commit(options?: CommitOptions): Promise<WrittenObject>;
  /** Drops what was written; the target name is left as it was. */
  abort(): Promise<void>;
}

export interface Storage {
  /** Files of a folder / blobs under a prefix, in name order; a single file gives itself. */
  list(location: Location): Promise<ObjectInfo[]>;
  stat(location: Location): Promise<ObjectInfo | undefined>;
  /** A stream of the object's bytes (a range of them); errors (not found, denied) surface on the stream. */
  read(location: Location, range?: ByteRange): Readable;
  writer(location: Location, options?: WriterOptions): AtomicWriter;
  /** Removes a file or blob; absent is fine. */
  remove(location: Location): Promise<void>;
  /** Human-readable, for messages: where az:// points (account URL, never credentials). */
  describe(location: Location): string;
}

/** Metadata key of the sha256 an upload records (Blob metadata names are C# identifiers). */
export const SHA256_METADATA_KEY = 'sha256';

/** Ends a writer's stream (if the caller has not) and waits until its last write is done. */
export async function finished(stream: Writable): Promise<void> {
  if (stream.writableFinished) return;
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => {
      resolve();
    });
  });
}
