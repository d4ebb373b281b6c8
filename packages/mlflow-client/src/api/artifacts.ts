import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { artifactProxyPath, joinArtifactPath, normaliseArtifactPath } from '../artifact-uri';
import { emptyReply, listArtifactsReply, type ArtifactFileInfo } from '../common.schema';
import { ENDPOINTS, encodePath } from '../endpoints';
import { MlflowClientError } from '../errors';
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

export function artifactsApi({ transport }: ApiContext) {
  const urlPath = (proxyPath: string) => ENDPOINTS.artifacts.path(`/${encodePath(proxyPath)}`);

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

  /** One directory level; `path` of each entry is relative to `artifactUri`. */
  async function listArtifacts(artifactUri: string, path = ''): Promise<ArtifactFileInfo[]> {
    const dir = joinArtifactPath(artifactProxyPath(artifactUri), path);
    const reply = await transport.call('GET', ENDPOINTS.artifacts.path(''), listArtifactsReply, {
      query: { path: dir },
    });
    return reply.files.map((f) => ({
      ...f,
      path: joinArtifactPath(path, normaliseArtifactPath(f.path)),
    }));
  }

  /** Every file below `path`, depth first. */
  async function listArtifactsRecursive(
    artifactUri: string,
    path = '',
  ): Promise<ArtifactFileInfo[]> {
    const files: ArtifactFileInfo[] = [];
    for (const entry of await listArtifacts(artifactUri, path)) {
      if (entry.isDir) files.push(...(await listArtifactsRecursive(artifactUri, entry.path)));
      else files.push(entry);
    }
    return files;
  }

  async function readArtifact(artifactUri: string, path: string): Promise<Buffer> {
    const target = joinArtifactPath(artifactProxyPath(artifactUri), path);
    const response = await transport.raw('GET', urlPath(target));
    return Buffer.from(await response.arrayBuffer());
  }

  async function downloadFile(artifactUri: string, path: string, localPath: string): Promise<void> {
    const target = joinArtifactPath(artifactProxyPath(artifactUri), path);
    const response = await transport.raw('GET', urlPath(target));
    const partial = `${localPath}.partial`;
    try {
      await mkdir(dirname(localPath), { recursive: true });
      const body = response.body
        ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)
        : Readable.from([]);
      await pipeline(body, createWriteStream(partial));
      await rename(partial, localPath);
    } catch (cause) {
      await rm(partial, { force: true });
      throw localIoError('write', localPath, cause);
    }
  }

  /**
   * Downloads the directory (or single file) at `<artifactUri>/<path>` into `localDir`,
   * keeping the layout below it. Returns the local file paths written.
   */
  async function downloadArtifacts(
    artifactUri: string,
    localDir: string,
    options: TransferOptions & { readonly path?: string } = {},
  ): Promise<string[]> {
    const root = normaliseArtifactPath(options.path ?? '');
    const files = await listArtifactsRecursive(artifactUri, root);
    if (files.length === 0) {
      // Listing a file (or a missing path) is empty: fetch it as a file; a 404 surfaces as such.
      const target = join(localDir, basename(root === '' ? 'artifact' : root));
      await downloadFile(artifactUri, root, target);
      return [target];
    }
    const locals = files.map((f) =>
      join(localDir, ...(root === '' ? f.path : f.path.slice(root.length + 1)).split('/')),
    );
    await mapLimit(files, concurrencyOrDefault(options.concurrency), (f, i) =>
      downloadFile(artifactUri, f.path, locals[i] as string),
    );
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
