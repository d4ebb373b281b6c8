/**
 * The model directory: the unit that training writes, MLflow stores and the service loads.
 * `MLmodel` (MLflow descriptor), `model.json` (our tree-ensemble format), `input_example.json`
 * and `serving_input_example.json` (MLflow's example files), and for Python, Spark and ONNX
 * runtimes `model.onnx`, `code/wine_quality_onnx.py` and the Python environment files;
 * `reference_sample.csv.gz`, the drift reference (reference-sample.ts; the service ignores it).
 */
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { WineRecord } from '../core/features';
import {
  loadModel,
  serializeModel,
  type EnsembleDocument,
  type TreeEnsemble,
} from '../core/ensemble';
import { ModelError } from '../errors';
import type { OnnxTreeOp } from '../export/onnx-model';
import { inputExampleFiles, splitFrameToRecords } from './input-example';
import {
  INPUT_EXAMPLE_FILE,
  MLMODEL_FILE,
  MODEL_FILE,
  renderMlmodel,
  type MlmodelOptions,
} from './mlmodel';
import { splitFrameSchema } from './model-dir.schema';
import {
  byteSize,
  onnxFlavourFiles,
  sha256Hex,
  writeModelFiles,
  type ModelFile,
} from './onnx-flavours';
import { REFERENCE_SAMPLE_FILE } from './reference-sample';

export interface ModelDirectory {
  readonly dir: string;
  readonly model: TreeEnsemble;
  readonly document: EnsembleDocument;
  readonly inputExample: WineRecord[];
  readonly mlmodel: string;
  /** sha256 of model.json: identifies the exact artifact that is served. */
  readonly sha256: string;
}

export type WriteModelDirOptions = Pick<
  MlmodelOptions,
  'runId' | 'modelId' | 'modelUuid' | 'artifactPath' | 'createdAt' | 'mlflowVersion'
> & {
  readonly inputExample: readonly WineRecord[];
  /** Operator of model.onnx (default TreeEnsembleRegressor, see export/onnx-model.ts). */
  readonly onnxOp?: OnnxTreeOp;
  /** CSV text of the reference sample that `document.reference.sample` describes. */
  readonly referenceSample?: string;
};

/** Writes the directory atomically: a sibling temp dir is renamed into place, so a failure leaves nothing behind. */
export async function writeModelDir(
  dir: string,
  document: EnsembleDocument,
  options: WriteModelDirOptions,
): Promise<void> {
  const target = path.resolve(dir);
  const staging = `${target}.tmp-${process.pid}`;
  const modelJson = serializeModel(document);
  const files: ModelFile[] = [
    [MODEL_FILE, modelJson],
    ...inputExampleFiles(options.inputExample),
    ...(await onnxFlavourFiles(document, sha256Hex(modelJson), options.onnxOp)),
    ...referenceSampleFiles(document, options.referenceSample),
  ];
  const mlmodel = renderMlmodel({
    ...options,
    formatVersion: document.formatVersion,
    learnerVersion: document.training.learner.version,
    // What MLflow records: every file of the directory but MLmodel itself.
    modelSizeBytes: files.reduce((sum, [, content]) => sum + byteSize(content), 0),
  });
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await writeModelFiles(staging, [...files, [MLMODEL_FILE, mlmodel]]);
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The gzipped sample, checked against what model.json declares (both or neither). */
function referenceSampleFiles(document: EnsembleDocument, csv: string | undefined): ModelFile[] {
  const declared = document.reference?.sample;
  if (declared === undefined && csv === undefined) return [];
  if (declared === undefined || csv === undefined || sha256Hex(csv) !== declared.sha256) {
    throw new ModelError(
      'MODEL_INVALID',
      "the reference sample and model.json's reference.sample must come together and match (computeDriftReference makes both)",
    );
  }
  // zlib's default level: within ~2 % of level 9's size for less than half its time (level 9
  // was ~45 ms of a ~0.6 s train command); model.json names the sample by the CSV's sha256.
  return [[REFERENCE_SAMPLE_FILE, gzipSync(csv, { level: 6 })]];
}

/** errno codes that mean "the directory lacks this file": the artifact is broken. */
const MISSING_FILE_CODES: ReadonlySet<string> = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A missing file is the directory's fault (MODEL_INVALID); any other failure (EIO, EMFILE,
 * EACCES…) is a local I/O problem that says nothing about the model (MODEL_READ_FAILED), so a
 * server retries it instead of condemning the artifact.
 */
async function readText(dir: string, file: string): Promise<string> {
  const where = path.join(dir, file);
  try {
    return await readFile(where, 'utf8');
  } catch (error) {
    const code = errnoOf(error);
    if (code !== undefined && MISSING_FILE_CODES.has(code)) {
      throw new ModelError('MODEL_INVALID', `${where} cannot be read: is this a model directory?`, {
        cause: error,
      });
    }
    const why = error instanceof Error ? error.message : String(error);
    throw new ModelError(
      'MODEL_READ_FAILED',
      `${where} could not be read (${why}); the model itself may be fine`,
      {
        cause: error,
      },
    );
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelError('MODEL_INVALID', `${where} is not valid JSON`, { cause: error });
  }
}

/** Reads and validates a model directory; a broken one is a ModelError, never a half-loaded model. */
export async function readModelDir(dir: string): Promise<ModelDirectory> {
  const [modelJson, mlmodel, exampleText] = await Promise.all([
    readText(dir, MODEL_FILE),
    readText(dir, MLMODEL_FILE),
    readText(dir, INPUT_EXAMPLE_FILE),
  ]);
  const { model, document } = loadModel(modelJson);
  const exampleFile = path.join(dir, INPUT_EXAMPLE_FILE);
  const frame = splitFrameSchema.safeParse(parseJson(exampleText, exampleFile));
  if (!frame.success) {
    throw new ModelError('MODEL_INVALID', `${exampleFile} is not a {columns, data} frame`, {
      details: frame.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  return {
    dir,
    model,
    document,
    inputExample: splitFrameToRecords(frame.data, exampleFile),
    mlmodel,
    sha256: sha256Hex(modelJson),
  };
}
