import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { artifactProxyPath, joinArtifactPath, normaliseArtifactPath } from '../artifact-uri';
import { emptyReply, listArtifactsReply, type ArtifactFileInfo } from '../common.schema';
import { ENDPOINTS, encodePath } from '../endpoints';
import { MlflowClientError, MlflowConnectionError, MlflowTimeoutError } from '../errors';
import { concurrencyOrDefault, mapLimit } from '../concurrency';
import type { ApiContext } from './context';

/**
 * Artifacts through the tracking server's proxy (`/api/2.0/mlflow-artifacts/artifacts/...`):
 * PUT raw bytes to upload, GET to download, GET ?path= to list one directory level (names
 * only; a missing path or a file lists as empty).
 */

export interface TransferOptions {
  /** Parallel transfers; default 4. */
  readonly concurrency?: number;
}

/**
 * Bounds on what a download may do, so a hostile or broken server cannot fill the disk, loop
 * the listing forever or hold a download open indefinitely.
 */
export interface DownloadLimits {
  /** Files and directories one download may list. */
  readonly maxFiles: number;
  /** Bytes one download may write in total (and `readArtifact` may hold in memory). */
  readonly maxBytes: number;
  /** Directory levels below the requested path. */
  readonly maxDepth: number;
  /**
   * Deadline for streaming one file's body, counted from its response headers. The client's
   * per-attempt `timeoutMs` covers only getting the headers, so a large artifact on a slow
   * link is not cut off after `timeoutMs`.
   */
  readonly bodyTimeoutMs: number;
  /** A body that delivers no byte for this long is abandoned; default the client's `timeoutMs`. */
  readonly stallTimeoutMs?: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: Readonly<DownloadLimits> = Object.freeze({
  maxFiles: 10_000,
  maxBytes: 2 * 1024 ** 3,
  maxDepth: 32,
  bodyTimeoutMs: 10 * 60_000,
});

export interface DownloadOptions extends TransferOptions {
  /** Directory or file below the artifact URI; default its root. */
  readonly path?: string;
  /** Overrides the client's `downloadLimits` for this call. */
  readonly limits?: Partial<DownloadLimits>;
}

function unsafe(message: string): MlflowClientError {
  return new MlflowClientError('MLFLOW_UNSAFE_ARTIFACT', message);
}

function tooLarge(message: string): MlflowClientError {
  return new MlflowClientError(
    'MLFLOW_ARTIFACT_TOO_LARGE',
    `${message}; raise downloadLimits if the artifact is really this large.`,
  );
}

/**
 * MLflow's list endpoint answers bare names (server: posixpath.basename). Anything else — empty
 * (a directory listing itself), `.`/`..`, a slash or backslash, NUL — is refused, so every
 * listed path is one segment deeper than its parent and can only name a place inside it.
 */
function checkedName(name: string, dir: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw unsafe(
      `The server listed the entry ${JSON.stringify(name)} in artifact directory "${dir}"; ` +
        'entries must be plain names (no empty, ".", ".." or slash/backslash segments).',
    );
  }
  return name;
}

/** `dest/segments…`, refusing anything that would resolve outside `dest`. */
function inside(dest: string, segments: readonly string[]): string {
  const target = resolve(dest, ...segments);
  const rel = relative(dest, target);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw unsafe(`Artifact path ${JSON.stringify(segments.join('/'))} resolves outside ${dest}.`);
  }
  return target;
}

/** Bytes written so far by one download, across its concurrent files. */
function byteBudget(max: number) {
  let used = 0;
  return {
    check(more: number, what: string): void {
      if (used + more > max) {
        throw tooLarge(`Downloading ${what} would exceed maxBytes (${max} bytes)`);
      }
    },
    take(bytes: number, what: string): void {
      this.check(bytes, what);
      used += bytes;
    },
  };
}
type ByteBudget = ReturnType<typeof byteBudget>;

function localIoError(action: string, path: string, cause: unknown): MlflowClientError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new MlflowClientError('MLFLOW_LOCAL_IO_ERROR', `Could not ${action} ${path}: ${why}`, {
    cause,
  });
}

async function listLocalFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .sort();
  } catch (cause) {
    throw localIoError('read directory', dir, cause);
  }
}

export function artifactsApi({ transport }: ApiContext, defaults: Partial<DownloadLimits> = {}) {
  const urlPath = (proxyPath: string) => ENDPOINTS.artifacts.path(`/${encodePath(proxyPath)}`);
  const limitsOf = (overrides: Partial<DownloadLimits> | undefined): DownloadLimits => ({
    ...DEFAULT_DOWNLOAD_LIMITS,
    stallTimeoutMs: transport.timeoutMs,
    ...defaults,
    ...overrides,
  });

  async function uploadBytes(
    artifactUri: string,
    artifactPath: string,
    bytes: Uint8Array | string,
    contentType?: string,
  ): Promise<void> {
    const target = joinArtifactPath(artifactProxyPath(artifactUri), artifactPath);
    await transport.call('PUT', urlPath(target), emptyReply, {
      bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes,
      ...(contentType === undefined ? {} : { contentType }),
    });
  }

  /** Uploads one file to `<artifactUri>/<artifactPath>` (default: the file's name). */
  async function uploadFile(
    artifactUri: string,
    localPath: string,
    artifactPath: string = basename(localPath),
  ): Promise<void> {
    let bytes: Buffer;
    try {
      // Whole file in memory: it lets a failed PUT be retried; model artifacts are small.
      bytes = await readFile(localPath);
    } catch (cause) {
      throw localIoError('read', localPath, cause);
    }
    await uploadBytes(artifactUri, artifactPath, bytes);
  }

  /** Uploads every file under `localDir` to `<artifactUri>/<artifactPath>/…`; returns their paths. */
  async function uploadDirectory(
    artifactUri: string,
    localDir: string,
    options: TransferOptions & { readonly artifactPath?: string } = {},
  ): Promise<string[]> {
    const files = await listLocalFiles(localDir);
    const paths = files.map((file) =>
      joinArtifactPath(options.artifactPath ?? '', relative(localDir, file).split(sep).join('/')),
    );
    await mapLimit(files, concurrencyOrDefault(options.concurrency), (file, i) =>
      uploadFile(artifactUri, file, paths[i] as string),
    );
    return paths;
  }

  /**
   * One directory level; `path` of each entry is relative to `artifactUri`. A hostile entry
   * (see checkedName) or a name listed twice is an MLFLOW_UNSAFE_ARTIFACT error.
   */
  async function listArtifacts(artifactUri: string, path = ''): Promise<ArtifactFileInfo[]> {
    const base = normaliseArtifactPath(path);
    const dir = joinArtifactPath(artifactProxyPath(artifactUri), base);
    const reply = await transport.call('GET', ENDPOINTS.artifacts.path(''), listArtifactsReply, {
      query: { path: dir },
    });
    const seen = new Set<string>();
    return reply.files.map((f) => {
      const name = checkedName(f.path, dir);
      if (seen.has(name)) {
        throw unsafe(`The server listed ${JSON.stringify(name)} twice in "${dir}".`);
      }
      seen.add(name);
      return { ...f, path: base === '' ? name : `${base}/${name}` };
    });
  }

  /**
   * Every file below `path`, depth first. Each level is one plain name deeper, so a server
   * whose directories list themselves ends at `maxDepth` or `maxFiles` instead of looping.
   */
  async function listArtifactsRecursive(
    artifactUri: string,
    path = '',
    limits?: Partial<DownloadLimits>,
  ): Promise<ArtifactFileInfo[]> {
    const { maxFiles, maxDepth } = limitsOf(limits);
    const files: ArtifactFileInfo[] = [];
    let entries = 0;
    async function walk(dir: string, depth: number): Promise<void> {
      for (const entry of await listArtifacts(artifactUri, dir)) {
        if (++entries > maxFiles) {
          throw tooLarge(`${artifactUri}/${path} lists more than maxFiles (${maxFiles}) entries`);
        }
        if (!entry.isDir) files.push(entry);
        else if (depth >= maxDepth) {
          throw tooLarge(`${artifactUri}/${entry.path} nests deeper than maxDepth (${maxDepth})`);
        } else await walk(entry.path, depth + 1);
      }
    }
    await walk(normaliseArtifactPath(path), 0);
    return files;
  }

  /**
   * GETs one artifact and hands its body to `sink` chunk by chunk. The body has its own
   * deadline and stall timeout (see DownloadLimits); a dropped connection mid-body is an
   * MlflowConnectionError, a deadline an MlflowTimeoutError. Errors thrown by `sink` (disk,
   * byte budget) pass through unchanged.
   */
  async function streamArtifact(
    artifactUri: string,
    path: string,
    limits: DownloadLimits,
    sink: (chunk: Uint8Array, contentLength: number | undefined) => Promise<void> | void,
    cancel?: AbortSignal,
  ): Promise<void> {
    const target = joinArtifactPath(artifactProxyPath(artifactUri), path);
    const url = urlPath(target);
    const timer = new AbortController();
    const signal = cancel ? AbortSignal.any([timer.signal, cancel]) : timer.signal;
    const response = await transport.raw('GET', url, { stream: true, signal });
    const stallMs = limits.stallTimeoutMs ?? transport.timeoutMs;
    const expire = (why: 'deadline' | 'stall') => () => {
      timer.abort(why);
    };
    const deadline = setTimeout(expire('deadline'), limits.bodyTimeoutMs);
    let stall = setTimeout(expire('stall'), stallMs);
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    let sinkFailure: { error: unknown } | undefined;
    try {
      for await (const chunk of response.body ?? []) {
        clearTimeout(stall);
        try {
          await sink(chunk as Uint8Array, Number.isFinite(length) ? length : undefined);
        } catch (error) {
          sinkFailure = { error };
          break; // leaving the loop cancels the body and closes the connection
        }
        stall = setTimeout(expire('stall'), stallMs);
      }
    } catch (error) {
      if (cancel?.aborted) throw error;
      const where = `${transport.baseUrl}${url}`;
      if (timer.signal.aborted) {
        const stalled = timer.signal.reason === 'stall';
        const ms = stalled ? stallMs : limits.bodyTimeoutMs;
        throw new MlflowTimeoutError(
          where,
          ms,
          stalled
            ? `The download of ${target} from MLflow stalled: no data for ${ms} ms.`
            : `The download of ${target} from MLflow took longer than bodyTimeoutMs (${ms} ms); ` +
                'raise downloadLimits.bodyTimeoutMs for large artifacts on slow links.',
          { cause: error },
        );
      }
      const why = error instanceof Error ? error.message : String(error);
      throw new MlflowConnectionError(
        where,
        `The download of ${target} from MLflow broke off: ${why}`,
        { cause: error },
      );
    } finally {
      clearTimeout(deadline);
      clearTimeout(stall);
    }
    if (sinkFailure) throw sinkFailure.error;
  }

  /** One artifact file in memory (at most `maxBytes`). */
  async function readArtifact(
    artifactUri: string,
    path: string,
    limits?: Partial<DownloadLimits>,
  ): Promise<Buffer> {
    const resolved = limitsOf(limits);
    const budget = byteBudget(resolved.maxBytes);
    const chunks: Uint8Array[] = [];
    await streamArtifact(artifactUri, path, resolved, (chunk, length) => {
      if (chunks.length === 0 && length !== undefined) budget.check(length, path);
      budget.take(chunk.byteLength, path);
      chunks.push(chunk);
    });
    return Buffer.concat(chunks);
  }

  async function downloadFile(
    artifactUri: string,
    path: string,
    localPath: string,
    limits: DownloadLimits,
    budget: ByteBudget,
    cancel?: AbortSignal,
  ): Promise<void> {
    // Unique, so a listed "x.partial" cannot collide with the staging file of "x".
    const partial = `${localPath}.${randomBytes(4).toString('hex')}.partial`;
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      await streamArtifact(
        artifactUri,
        path,
        limits,
        async (chunk, length) => {
          if (handle === undefined) {
            if (length !== undefined) budget.check(length, path);
            try {
              await mkdir(dirname(localPath), { recursive: true });
              handle = await open(partial, 'w');
            } catch (cause) {
              throw localIoError('write', localPath, cause);
            }
          }
          budget.take(chunk.byteLength, path);
          try {
            await handle.write(chunk);
          } catch (cause) {
            throw localIoError('write', localPath, cause);
          }
        },
        cancel,
      );
      try {
        // An empty body never reached the sink: the file still has to exist.
        if (handle === undefined) {
          await mkdir(dirname(localPath), { recursive: true });
          handle = await open(partial, 'w');
        }
        await handle.close();
        handle = undefined;
        await rename(partial, localPath);
      } catch (cause) {
        throw localIoError('write', localPath, cause);
      }
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await rm(partial, { force: true });
      throw error;
    }
  }

  /**
   * Downloads the directory (or single file) at `<artifactUri>/<path>` into `localDir`,
   * keeping the layout below it. Returns the local file paths written. Every target is
   * checked to stay inside `localDir`; file count, bytes, depth and time are capped by
   * `limits` (defaults: the client's `downloadLimits`, then DEFAULT_DOWNLOAD_LIMITS). The
   * first failure cancels the transfers still running.
   */
  async function downloadArtifacts(
    artifactUri: string,
    localDir: string,
    options: DownloadOptions = {},
  ): Promise<string[]> {
    const limits = limitsOf(options.limits);
    const dest = resolve(localDir);
    const root = normaliseArtifactPath(options.path ?? '');
    const budget = byteBudget(limits.maxBytes);
    const files = await listArtifactsRecursive(artifactUri, root, limits);
    if (files.length === 0) {
      // Listing a file (or a missing path) is empty: fetch it as a file; a 404 surfaces as such.
      const target = inside(dest, [basename(root === '' ? 'artifact' : root)]);
      await downloadFile(artifactUri, root, target, limits, budget);
      return [target];
    }
    const listedBytes = files.reduce((sum, f) => sum + (f.fileSize ?? 0), 0);
    budget.check(listedBytes, `${artifactUri}/${root} (${files.length} files listed)`);
    const locals = files.map((f) =>
      inside(dest, (root === '' ? f.path : f.path.slice(root.length + 1)).split('/')),
    );
    const stop = new AbortController();
    await mapLimit(files, concurrencyOrDefault(options.concurrency), async (f, i) => {
      try {
        await downloadFile(artifactUri, f.path, locals[i] as string, limits, budget, stop.signal);
      } catch (error) {
        stop.abort(error);
        throw error;
      }
    });
    return locals;
  }

  return {
    uploadBytes,
    uploadFile,
    uploadDirectory,
    listArtifacts,
    listArtifactsRecursive,
    readArtifact,
    downloadArtifacts,
  };
}
