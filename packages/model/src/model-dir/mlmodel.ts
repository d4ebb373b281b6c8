/**
 * The MLflow `MLmodel` descriptor for our model directory. Field names and shapes follow what
 * MLflow 3's Python `Model.to_dict()` writes (mlflow/models/model.py), so the MLflow UI shows
 * the signature and input example the same way it does for a model logged from Python.
 */
import { stringify } from 'yaml';
import { FEATURE_NAMES } from '../core/features';
import { mlflowFlavours } from '../export/mlflow-flavours';
import type { OnnxTreeOp } from '../export/onnx-model';

export const MODEL_FLAVOR = 'wine_quality_tree_ensemble';
export const MODEL_FILE = 'model.json';
export const INPUT_EXAMPLE_FILE = 'input_example.json';
export const SERVING_INPUT_FILE = 'serving_input_example.json';
export const MLMODEL_FILE = 'MLmodel';

export interface MlmodelOptions {
  readonly formatVersion: number;
  readonly learnerVersion: string;
  readonly modelSizeBytes: number;
  readonly runId?: string;
  readonly modelId?: string;
  readonly modelUuid?: string;
  readonly artifactPath?: string;
  /** ISO time; omitted unless given so a re-export of the same model is byte-identical. */
  readonly createdAt?: string;
  readonly mlflowVersion?: string;
  /** Operator model.onnx was written with (the `onnx` flavour records it). */
  readonly onnxOp?: OnnxTreeOp;
}

/** MLflow column-based signature: a JSON string per section, as MLflow stores it. */
export function signatureInputs(): string {
  const columns = [
    ...FEATURE_NAMES.map((name) => ({ type: 'double', name, required: true })),
    { type: 'string', name: 'wine_type', required: true },
  ];
  return JSON.stringify(columns);
}

export function renderMlmodel(options: MlmodelOptions): string {
  const doc: Record<string, unknown> = {
    ...(options.artifactPath === undefined ? {} : { artifact_path: options.artifactPath }),
    flavors: {
      [MODEL_FLAVOR]: {
        data: MODEL_FILE,
        format: 'wine-quality/tree-ensemble',
        format_version: options.formatVersion,
        loader: '@wine/model readModelDir',
        learner_version: options.learnerVersion,
      },
      ...mlflowFlavours(options.onnxOp),
    },
    ...(options.mlflowVersion === undefined ? {} : { mlflow_version: options.mlflowVersion }),
    ...(options.modelId === undefined ? {} : { model_id: options.modelId }),
    model_size_bytes: options.modelSizeBytes,
    ...(options.modelUuid === undefined ? {} : { model_uuid: options.modelUuid }),
    ...(options.runId === undefined ? {} : { run_id: options.runId }),
    saved_input_example_info: {
      artifact_path: INPUT_EXAMPLE_FILE,
      pandas_orient: 'split',
      serving_input_path: SERVING_INPUT_FILE,
      type: 'dataframe',
    },
    signature: {
      inputs: signatureInputs(),
      outputs: JSON.stringify([{ type: 'double', required: true }]),
      params: null,
    },
    is_signature_from_type_hint: false,
    type_hint_from_example: false,
    ...(options.createdAt === undefined ? {} : { utc_time_created: options.createdAt }),
  };
  return stringify(doc, { lineWidth: 0 });
}
