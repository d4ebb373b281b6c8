/**
 * Which training reference belongs to the served model. The prediction log says what served
 * each row (model name, version, source); the reference is in that version's artifact:
 *
 * - a registry version (`"3"`) → `models:/<name>/<version>` downloaded from MLflow;
 * - a directory version (`sha256:<12 hex>` of model.json) → the directory named by a
 *   `file:` source, else the first of MONITOR_MODEL_DIRS (bundled model last) whose model.json
 *   has that hash, else the `runs:/`/`models:/` source from MLflow if its hash matches.
 *
 * A prepared reference is cached per version: the artifact of a version never changes.
 * Failures are typed (ReferenceUnavailable) so the monitor can say which dependency failed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { wineReferenceFromModel } from '@wine/drift';
import type { PreparedReference } from '@wine/drift';
import { readModelDir, readModelReference } from '@wine/model';
import type { MlflowClient } from 'mlflow-ts-client';

export interface ServedModel {
  readonly name: string;
  readonly version: string;
  readonly source: string;
}

export interface ResolvedReference {
  readonly reference: PreparedReference;
  /** Where the artifact was found (a directory or an MLflow URI). */
  readonly origin: string;
}

export class ReferenceUnavailable extends Error {
  override readonly name = 'ReferenceUnavailable';
  /** `mlflow` when MLflow could not be asked (retry later); `artifact` when nothing matches. */
  readonly dependency: 'mlflow' | 'artifact';
  constructor(dependency: 'mlflow' | 'artifact', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.dependency = dependency;
  }
}

export interface ResolverDeps {
  readonly modelDirs: readonly string[];
  readonly mlflow?: Pick<MlflowClient, 'resolveModelUri' | 'downloadArtifacts'>;
  readonly downloadRoot: string;
}

const SHA_VERSION = /^sha256:([0-9a-f]{12})$/;

async function shaOf(dir: string): Promise<string | undefined> {
  try {
    return (await readModelDir(dir)).sha256;
  } catch {
    return undefined;
  }
}

export function createReferenceResolver(deps: ResolverDeps) {
  const cache = new Map<string, ResolvedReference>();

  async function fromDir(dir: string, origin: string): Promise<ResolvedReference> {
    const reference = wineReferenceFromModel(await readModelReference(dir), { source: origin });
    return { reference, origin };
  }

  async function fromMlflow(
    uri: string,
    expectSha?: string,
  ): Promise<ResolvedReference | undefined> {
    const client = deps.mlflow;
    if (client === undefined) return undefined;
    const dir = await mkdtemp(path.join(deps.downloadRoot, 'wine-monitor-ref-'));
    try {
      try {
        const resolved = await client.resolveModelUri(uri);
        await client.downloadArtifacts(resolved.artifactUri, dir, {
          limits: { maxFiles: 1000, maxBytes: 1024 ** 3 },
        });
      } catch (error) {
        throw new ReferenceUnavailable(
          'mlflow',
          `cannot download ${uri} from MLflow: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      if (expectSha !== undefined && !(await shaOf(dir))?.startsWith(expectSha)) return undefined;
      return await fromDir(dir, uri);
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async function find(model: ServedModel): Promise<ResolvedReference> {
    if (/^\d+$/.test(model.version)) {
      if (deps.mlflow === undefined) {
        throw new ReferenceUnavailable(
          'artifact',
          `model ${model.name} version ${model.version} comes from the MLflow registry: set MLFLOW_TRACKING_URI so the monitor can read its reference`,
        );
      }
      const found = await fromMlflow(`models:/${model.name}/${model.version}`);
      if (found !== undefined) return found;
    }
    const sha = SHA_VERSION.exec(model.version)?.[1];
    if (sha !== undefined) {
      const dirs = model.source.startsWith('file:')
        ? [model.source.slice('file:'.length), ...deps.modelDirs]
        : deps.modelDirs;
      for (const dir of dirs) {
        if ((await shaOf(dir))?.startsWith(sha)) return fromDir(dir, dir);
      }
      if (/^(runs|models):/.test(model.source)) {
        const found = await fromMlflow(model.source, sha);
        if (found !== undefined) return found;
      }
    }
    throw new ReferenceUnavailable(
      'artifact',
      `no artifact found for model ${model.name} version ${model.version} (source ${model.source}): ` +
        'add its directory to MONITOR_MODEL_DIRS or set MLFLOW_TRACKING_URI',
    );
  }

  return {
    /** The prepared reference of `model`, cached per name and version. */
    async resolve(model: ServedModel): Promise<ResolvedReference> {
      const key = `${model.name}\u0000${model.version}`;
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      const found = await find(model);
      cache.set(key, found);
      return found;
    },
  };
}

export type ReferenceResolver = ReturnType<typeof createReferenceResolver>;
