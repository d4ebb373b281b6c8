/**
 * Step outputs in the artifact store (the pipeline run's MLflow artifacts, proxied by the
 * tracking server to its backend: a folder, Azure Blob…). Every file is referenced with its
 * sha256 and checked when read back, so a step never trains on a truncated or swapped file.
 */
import type { MlflowClient } from 'mlflow-ts-client';
import { sha256Hex } from '@wine/training-scripts';
import { PipelineError } from '../errors';
import type { ArtifactRef } from '../steps/step-io.schema';
import type { MlflowRunHandle } from './pipeline-mlflow-run';

export interface ArtifactStore {
  /** Writes `bytes` to `<run artifacts>/pipeline/<path>`. */
  put(path: string, bytes: Uint8Array): Promise<ArtifactRef>;
  /** Reads a file back, verifying its sha256. */
  get(ref: ArtifactRef): Promise<Buffer>;
}

export const ARTIFACT_ROOT = 'pipeline';

export function mlflowArtifactStore(client: MlflowClient, run: MlflowRunHandle): ArtifactStore {
  return {
    async put(path, bytes) {
      const { artifactUri } = await run();
      const full = `${ARTIFACT_ROOT}/${path}`;
      await client.uploadBytes(artifactUri, full, bytes);
      return { artifactUri, path: full, sha256: sha256Hex(bytes), bytes: bytes.byteLength };
    },
    async get(ref) {
      const bytes = await client.readArtifact(ref.artifactUri, ref.path);
      const digest = sha256Hex(bytes);
      if (digest !== ref.sha256) {
        throw new PipelineError(
          'PIPELINE_ARTIFACT_CORRUPT',
          `${ref.artifactUri}/${ref.path}: sha256 ${digest} (${bytes.byteLength} bytes), expected ${ref.sha256} (${ref.bytes} bytes)`,
        );
      }
      return bytes;
    },
  };
}
