/**
 * Adds (or refreshes) the drift reference sample of a model directory written before samples
 * existed, from the rows the model was trained on. The rows are checked, not trusted: there
 * must be `training.nTrain` of them and the profile recomputed from them (features, the
 * model's predictions, quality) must equal the one stored in model.json — so a wrong split or
 * file is refused instead of silently giving the model someone else's reference.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import type { Matrix } from '../core/matrix';
import { serializeModel } from '../core/ensemble-document';
import { ModelError } from '../errors';
import { readModelDir, writeModelDir } from './model-dir';
import { computeDriftReference } from './reference-sample';

/** The MLmodel keys that identify where a directory came from; kept across the rewrite. */
const provenance = z.looseObject({
  run_id: z.string().optional(),
  model_id: z.string().optional(),
  model_uuid: z.string().optional(),
  artifact_path: z.string().optional(),
  utc_time_created: z.string().optional(),
  mlflow_version: z.string().optional(),
});

export interface AddedReferenceSample {
  readonly dir: string;
  readonly rows: number;
  readonly sourceRows: number;
  /** True when model.json had a profile and the rows reproduced it exactly. */
  readonly profileVerified: boolean;
}

export async function addReferenceSample(
  dir: string,
  training: { readonly x: Matrix; readonly y: ArrayLike<number> },
  options: { readonly seed: number; readonly maxRows?: number },
): Promise<AddedReferenceSample> {
  const md = await readModelDir(dir);
  const { nTrain } = md.document.training;
  if (training.x.rows !== nTrain) {
    throw new ModelError(
      'PARAMS_INVALID',
      `${training.x.rows} rows given, but the model was trained on ${nTrain}: pass exactly its training rows`,
    );
  }
  const predictions = md.model.predict(training.x);
  const { reference, referenceSample } = computeDriftReference(
    training.x,
    training.y,
    predictions,
    options,
  );
  const stored = md.document.reference;
  if (stored !== undefined) {
    const canonical = (p: typeof stored): string =>
      serializeModel({ ...md.document, reference: { ...p, sample: undefined } });
    if (canonical(stored) !== canonical(reference)) {
      throw new ModelError(
        'PARAMS_INVALID',
        "these rows are not the ones the model was trained on: the profile they give differs from model.json's (check the data, --test-size and --seed)",
      );
    }
  }
  const meta = provenance.safeParse(parse(md.mlmodel));
  const keep = meta.success ? meta.data : {};
  await writeModelDir(
    dir,
    { ...md.document, reference },
    {
      inputExample: md.inputExample,
      referenceSample,
      ...(keep.run_id === undefined ? {} : { runId: keep.run_id }),
      ...(keep.model_id === undefined ? {} : { modelId: keep.model_id }),
      ...(keep.model_uuid === undefined ? {} : { modelUuid: keep.model_uuid }),
      ...(keep.artifact_path === undefined ? {} : { artifactPath: keep.artifact_path }),
      ...(keep.utc_time_created === undefined ? {} : { createdAt: keep.utc_time_created }),
      ...(keep.mlflow_version === undefined ? {} : { mlflowVersion: keep.mlflow_version }),
    },
  );
  const sample = reference.sample;
  return {
    dir,
    rows: sample?.rows ?? 0,
    sourceRows: sample?.sourceRows ?? 0,
    profileVerified: stored !== undefined,
  };
}
