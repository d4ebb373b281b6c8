/**
 * `MODEL_URI=models:/…` or `runs:/…`: the model comes from an MLflow tracking server. A check
 * (`locate`) costs three small requests — resolve the URI (alias → version → download URI)
 * and list the artifact directory — and yields a fingerprint; only a new fingerprint leads to
 * a download into a fresh temporary directory, which is removed once the model is in memory.
 * Failures on this machine (mkdtemp, disk, network) surface as SourceUnavailableError and are
 * retried; only a broken artifact is a content error that rejects the version.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readModelDir } from '@wine/model';
import { isMlflowClientError } from 'mlflow-ts-client';
import type {
  ArtifactFileInfo,
  DownloadLimits,
  MlflowClient,
  ResolvedModel,
} from 'mlflow-ts-client';
import type { Logger } from 'pino';
import { MODEL_NAME, servableFromDirectory } from './directory-source';
import { InvalidArtifactError, SourceUnavailableError } from './servable-model';
import type { LocatedModel, ModelSource, ServableModel } from './servable-model';

export type MlflowSourceClient = Pick<
  MlflowClient,
  'trackingUri' | 'resolveModelUri' | 'listArtifacts' | 'downloadArtifacts'
>;

export interface MlflowSourceDeps {
  /** models:/name@alias, models:/name/N, models:/name/latest, models:/<model id>, runs:/<id>/<path>. */
  readonly uri: string;
  readonly client: MlflowSourceClient;
  /** Parent of the per-download directories; default the OS temp dir. */
  readonly cacheRoot?: string;
  /** Creates a per-download directory from a path prefix; default fs.mkdtemp (tests inject failures). */
  readonly makeTempDir?: (prefix: string) => Promise<string>;
  /** Hears about download directories that could not be removed (the model still loads). */
  readonly logger?: Pick<Logger, 'warn'>;
  /** Caps on one model download; default MODEL_DOWNLOAD_LIMITS. */
  readonly downloadLimits?: Partial<DownloadLimits>;
}

/**
 * A model directory holds a handful of files (MLmodel, model.json, examples, reference
 * sample, ONNX); the whole model is parsed in memory. The body deadline stays the client's
 * (minutes), independent of the short per-request timeout a poll uses.
 */
export const MODEL_DOWNLOAD_LIMITS: Partial<DownloadLimits> = Object.freeze({
  maxFiles: 1000,
  maxBytes: 1024 ** 3,
});

/** Client errors that say the artifact itself is unusable (hostile layout, too large). */
const ARTIFACT_CONTENT_CODES: ReadonlySet<string> = new Set([
  'MLFLOW_UNSAFE_ARTIFACT',
  'MLFLOW_ARTIFACT_TOO_LARGE',
]);

/**
 * Identifies an artifact without downloading it: registry version, download location and the
 * names and sizes of its files (catches a re-upload to the same location that changed a file's
 * size; an admin reload also compares sha256 after downloading).
 */
export function fingerprintOf(resolved: ResolvedModel, listing: readonly ArtifactFileInfo[]) {
  const files = listing
    .map((f) => `${f.path}${f.isDir ? '/' : `:${String(f.fileSize ?? '?')}`}`)
    .sort();
  return JSON.stringify([
    resolved.name ?? null,
    resolved.version ?? null,
    resolved.modelId ?? null,
    resolved.artifactUri,
    files,
  ]);
}

function unavailable(what: string, trackingUri: string, error: unknown): SourceUnavailableError {
  const why = error instanceof Error ? error.message : String(error);
  return new SourceUnavailableError(`${what} (MLflow at ${trackingUri}): ${why}`, {
    cause: error,
  });
}

export function createMlflowSource(deps: MlflowSourceDeps): ModelSource {
  const { uri, client } = deps;
  const cacheRoot = deps.cacheRoot ?? os.tmpdir();
  const makeTempDir = deps.makeTempDir ?? ((prefix: string) => mkdtemp(prefix));

  async function download(resolved: ResolvedModel, fingerprint: string): Promise<ServableModel> {
    let dir: string;
    try {
      dir = await makeTempDir(path.join(cacheRoot, 'wine-model-'));
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new SourceUnavailableError(
        `cannot create a download directory under ${cacheRoot}: ${why}`,
        { cause: error },
      );
    }
    try {
      try {
        await client.downloadArtifacts(resolved.artifactUri, dir, {
          limits: { ...MODEL_DOWNLOAD_LIMITS, ...deps.downloadLimits },
        });
      } catch (error) {
        if (isMlflowClientError(error) && ARTIFACT_CONTENT_CODES.has(error.code)) {
          throw new InvalidArtifactError(`${resolved.artifactUri}: ${error.message}`, {
            cause: error,
          });
        }
        throw unavailable(`cannot download ${resolved.artifactUri}`, client.trackingUri, error);
      }
      // A broken artifact throws MODEL_INVALID here (the store rejects it); a disk read
      // failure throws MODEL_READ_FAILED (retried).
      const md = await readModelDir(dir);
      return servableFromDirectory(md, uri, {
        name: resolved.name ?? MODEL_NAME,
        ...(resolved.version === undefined ? {} : { version: resolved.version }),
        ...(resolved.alias === undefined ? {} : { alias: resolved.alias }),
        ...(resolved.runId === undefined ? {} : { runId: resolved.runId }),
        ...(resolved.modelId === undefined ? {} : { modelId: resolved.modelId }),
        artifact: {
          registryUri: uri,
          downloadUri: resolved.artifactUri,
          trackingUri: client.trackingUri,
        },
        fingerprint,
      });
    } finally {
      // A leftover directory must not cost the model that is already in memory.
      await rm(dir, { recursive: true, force: true }).catch((error: unknown) => {
        deps.logger?.warn(
          { dir, reason: error instanceof Error ? error.message : String(error) },
          'could not remove a model download directory',
        );
      });
    }
  }

  async function locate(): Promise<LocatedModel> {
    let resolved: ResolvedModel;
    let listing: ArtifactFileInfo[];
    try {
      resolved = await client.resolveModelUri(uri);
      listing = await client.listArtifacts(resolved.artifactUri);
    } catch (error) {
      throw unavailable(`cannot resolve ${uri}`, client.trackingUri, error);
    }
    const fingerprint = fingerprintOf(resolved, listing);
    return { fingerprint, load: () => download(resolved, fingerprint) };
  }

  return {
    describe: () => uri,
    locate,
    load: async () => (await locate()).load(),
  };
}
