/** Storage for local paths: atomic writes through a hidden temp file in the same folder + rename. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { AzureError } from './errors';
import type { Location } from './location';
import { finished } from './storage';
import type {
  AtomicWriter,
  ByteRange,
  CommitOptions,
  ObjectInfo,
  Storage,
  WrittenObject,
} from './storage';

type LocalLocation = Extract<Location, { kind: 'local' }>;

function local(location: Location): LocalLocation {
  if (location.kind !== 'local') throw new TypeError('local storage got an az:// location');
  return location;
}

/** Temp files start with a dot: listings skip them, so a killed writer's leftovers are never input. */
export function tempPathFor(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
}

async function walk(dir: string, prefix: string, out: ObjectInfo[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    const name = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) await walk(full, name, out);
    else if (entry.isFile()) {
      const s = await stat(full);
      out.push({ location: { kind: 'local', path: full }, name, size: s.size });
    }
  }
}

function notFound(p: string, cause: unknown): AzureError {
  return new AzureError('LOCATION_NOT_FOUND', `${p}: no such file or folder`, { cause });
}

class LocalWriter implements AtomicWriter {
  readonly stream: Writable;
  private readonly temp: string;
  private handle: Promise<FileHandle> | undefined;
  private readonly sha = createHash('sha256');
  private readonly md5 = createHash('md5');
  private bytes = 0;

  constructor(private readonly target: string) {
    this.temp = tempPathFor(target);
    const file = async (): Promise<FileHandle> => {
      this.handle ??= mkdir(path.dirname(target), { recursive: true }).then(() =>
        open(this.temp, 'w'),
      );
      return this.handle;
    };
    this.stream = new Writable({
      highWaterMark: 1 << 20,
      write: (chunk: Buffer, _encoding, done) => {
        this.sha.update(chunk);
        this.md5.update(chunk);
        this.bytes += chunk.length;
        file()
          .then((h) => h.write(chunk))
          .then(
            () => {
              done();
            },
            (error: unknown) => {
              done(error as Error);
            },
          );
      },
      final: (done) => {
        file()
          .then(async (h) => {
            await h.datasync();
            await h.close();
          })
          .then(
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

  async commit(options: CommitOptions = {}): Promise<WrittenObject> {
    await finished(this.stream);
    const written: WrittenObject = {
      location: { kind: 'local', path: this.target },
      bytes: this.bytes,
      sha256: this.sha.digest('hex'),
      md5: this.md5.digest('base64'),
    };
    try {
      options.verify?.(written);
    } catch (error) {
      await rm(this.temp, { force: true });
      throw error;
    }
    await rename(this.temp, this.target);
    return written;
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    const h = await this.handle?.catch(() => undefined);
    await h?.close().catch(() => undefined);
    await rm(this.temp, { force: true });
  }
}

export function createLocalStorage(): Storage {
  return {
    async list(location) {
      const p = local(location).path;
      let s;
      try {
        s = await stat(p);
      } catch (cause) {
        throw notFound(p, cause);
      }
      if (s.isFile()) return [{ location, name: path.basename(p), size: s.size }];
      const out: ObjectInfo[] = [];
      await walk(p, '', out);
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async stat(location) {
      const p = local(location).path;
      try {
        const s = await stat(p);
        return s.isFile() ? { location, name: path.basename(p), size: s.size } : undefined;
      } catch {
        return undefined;
      }
    },
    read(location, range?: ByteRange) {
      const p = local(location).path;
      const end = range?.end;
      if (end !== undefined && end <= (range?.start ?? 0)) return Readable.from([]);
      return createReadStream(p, {
        highWaterMark: 1 << 20,
        ...(range === undefined ? {} : { start: range.start }),
        ...(end === undefined ? {} : { end: end - 1 }),
      });
    },
    writer(location) {
      return new LocalWriter(local(location).path);
    },
    async remove(location) {
      await rm(local(location).path, { force: true });
    },
    describe(location) {
      return local(location).path;
    },
  };
}
