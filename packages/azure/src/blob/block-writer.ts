/**
 * Atomic Blob writes: bytes are staged as blocks while they stream in (a few in flight, so
 * memory stays at blockBytes × (concurrency + 1)), and the blob appears only when commit()
 * commits the block list — with Content-MD5 and a sha256 in its metadata. Until then the
 * target name is untouched; a failed or killed writer leaves only uncommitted blocks, which
 * Azure discards after a week. Block ids carry a per-writer nonce, so two writers of one name
 * never mix blocks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { BlockBlobClient } from '@azure/storage-blob';
import type { AtomicWriter, CommitOptions, WriterOptions, WrittenObject } from '../storage';
import { SHA256_METADATA_KEY, finished } from '../storage';
import type { AzLocation } from '../location';
import { blobError } from './errors';

export interface BlockWriterSettings {
  readonly blockBytes: number;
  readonly concurrency: number;
}

export const DEFAULT_BLOCK_SETTINGS: BlockWriterSettings = { blockBytes: 8 << 20, concurrency: 4 };

export class BlockWriter implements AtomicWriter {
  readonly stream: Writable;
  private readonly nonce = randomBytes(6).toString('hex');
  private readonly ids: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private bytes = 0;
  private failure: Error | undefined;
  private readonly sha = createHash('sha256');
  private readonly md5 = createHash('md5');

  constructor(
    private readonly blob: BlockBlobClient,
    private readonly location: AzLocation,
    private readonly describe: string,
    private readonly options: WriterOptions = {},
    private readonly settings: BlockWriterSettings = DEFAULT_BLOCK_SETTINGS,
  ) {
    this.stream = new Writable({
      highWaterMark: settings.blockBytes,
      write: (chunk: Buffer, _encoding, done) => {
        this.accept(chunk).then(
          () => {
            done();
          },
          (error: unknown) => {
            done(error as Error);
          },
        );
      },
      final: (done) => {
        this.flush(true).then(
          () => {
            done();
          },
          (error: unknown) => {
            done(error as Error);
          },
        );
      },
    });
  }

  private async accept(chunk: Buffer): Promise<void> {
    this.sha.update(chunk);
    this.md5.update(chunk);
    this.bytes += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.settings.blockBytes) await this.flush(false);
  }

  /** Stages full blocks (and, at the end, the rest); waits while too many are in flight. */
  private async flush(last: boolean): Promise<void> {
    while (this.pendingBytes >= this.settings.blockBytes || (last && this.pendingBytes > 0)) {
      const all = Buffer.concat(this.pending, this.pendingBytes);
      const size = Math.min(all.length, this.settings.blockBytes);
      const block = all.subarray(0, size);
      const rest = all.subarray(size);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      this.stage(block);
      while (this.inFlight.size >= this.settings.concurrency) await Promise.race(this.inFlight);
      if (this.failure) throw this.failure;
    }
    if (last) await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }

  private stage(block: Buffer): void {
    // Equal-length ids (Azure requires it): nonce + zero-padded index.
    const id = Buffer.from(`${this.nonce}-${String(this.ids.length).padStart(8, '0')}`).toString(
      'base64',
    );
    this.ids.push(id);
    const p: Promise<void> = this.blob
      .stageBlock(id, block, block.length)
      .then(
        () => undefined,
        (error: unknown) => {
          this.failure ??= blobError(error, this.describe, this.blob.accountName);
        },
      )
      .finally(() => {
        this.inFlight.delete(p);
      });
    this.inFlight.add(p);
  }

  async commit(options: CommitOptions = {}): Promise<WrittenObject> {
    await finished(this.stream);
    if (this.failure) throw this.failure;
    const sha256 = this.sha.digest('hex');
    const md5 = this.md5.digest();
    const written: WrittenObject = {
      location: this.location,
      bytes: this.bytes,
      sha256,
      md5: md5.toString('base64'),
    };
    options.verify?.(written);
    try {
      await this.blob.commitBlockList(this.ids, {
        blobHTTPHeaders: {
          blobContentMD5: md5,
          ...(this.options.contentType === undefined
            ? {}
            : { blobContentType: this.options.contentType }),
        },
        metadata: { ...this.options.metadata, [SHA256_METADATA_KEY]: sha256 },
      });
    } catch (error) {
      throw blobError(error, this.describe, this.blob.accountName);
    }
    return written;
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await Promise.allSettled(this.inFlight);
  }
}
