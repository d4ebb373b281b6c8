/**
 * Dataset transfers between a local path and az:// (or any two locations): streamed, written
 * atomically, checksummed. Every written blob carries Content-MD5 and a sha256 in its
 * metadata; a download is checked against both before it appears under its name, and a
 * mismatch leaves nothing behind.
 */
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AzureError } from './errors';
import { childLocation, formatLocation, looksLikeFolder, type Location } from './location';
import type { ObjectInfo, Storage, WrittenObject } from './storage';

export interface TransferProgress {
  (done: number, total: number, file: string): void;
}

export interface CopiedObject extends WrittenObject {
  readonly from: Location;
  /** Whether the source carried a checksum the copy was verified against. */
  readonly verified: boolean;
}

function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

async function copyOne(
  storage: Storage,
  source: ObjectInfo,
  target: Location,
  onBytes: (n: number) => void,
): Promise<CopiedObject> {
  const writer = storage.writer(target, { contentType: contentTypeOf(source.name) });
  try {
    await pipeline(storage.read(source.location), counter(onBytes), writer.stream);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const expected = { sha256: source.sha256, md5: source.contentMd5 };
  // Verify before publishing: a corrupt download must not appear under the target name.
  const written = await writer.commit({
    verify: (w) => {
      const bad =
        (expected.sha256 !== undefined && expected.sha256 !== w.sha256) ||
        (expected.md5 !== undefined && expected.md5 !== w.md5);
      if (bad) {
        throw new AzureError(
          'INTEGRITY_MISMATCH',
          `${formatLocation(source.location)}: the copy does not match the source's checksum ` +
            `(sha256 ${w.sha256} vs ${expected.sha256 ?? '?'}, md5 ${w.md5} vs ${expected.md5 ?? '?'}); nothing was written`,
        );
      }
    },
  });
  return {
    ...written,
    from: source.location,
    verified: expected.sha256 !== undefined || expected.md5 !== undefined,
  };
}

function contentTypeOf(name: string): string {
  if (/\.csv$/i.test(name)) return 'text/csv';
  if (/\.json$/i.test(name)) return 'application/json';
  if (/\.(gz|zip)$/i.test(name)) return 'application/octet-stream';
  return 'application/octet-stream';
}

/**
 * Copies a file, or every file of a folder/prefix, to `to`. A single file goes to `to` itself
 * unless `to` is spelt as a folder (az://c/prefix/ or an existing local directory is decided
 * by the caller via `toIsFolder`); a folder's files keep their relative names under `to`.
 */
export async function copyLocation(
  storage: Storage,
  from: Location,
  to: Location,
  options: { readonly toIsFolder?: boolean; readonly onProgress?: TransferProgress } = {},
): Promise<CopiedObject[]> {
  const sources = await storage.list(from);
  const single = sources.length === 1 && sources[0]?.location === from;
  const total = sources.reduce((n, s) => n + s.size, 0);
  let done = 0;
  const copied: CopiedObject[] = [];
  for (const source of sources) {
    const target =
      single && !(options.toIsFolder ?? looksLikeFolder(to)) ? to : childLocation(to, source.name);
    copied.push(
      await copyOne(storage, source, target, (n) => {
        done += n;
        options.onProgress?.(done, total, source.name);
      }),
    );
  }
  return copied;
}
