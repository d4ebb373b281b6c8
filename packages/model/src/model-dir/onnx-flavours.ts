/**
 * The files behind the `onnx` and `python_function` flavours (model.onnx, the pyfunc loader,
 * the Python environment), for new model directories (writeModelDir) and for directories
 * written before they existed (add-onnx-flavours.ts, `pnpm run export-onnx`).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EnsembleDocument } from '../core/ensemble-document';
import { ModelError } from '../errors';
import {
  CODE_DIR,
  ONNX_FILE,
  PYFUNC_LOADER_MODULE,
  pythonEnvFiles,
} from '../export/mlflow-flavours';
import { DEFAULT_ONNX_OP, encodeOnnxModel, type OnnxTreeOp } from '../export/onnx-model';

/** A file of a model directory: path relative to the directory, content. */
export type ModelFile = readonly [string, string | Uint8Array];

/** The loader ships with this package (python/), next to src/ and dist/. */
const LOADER_SOURCE = path.join(__dirname, '..', '..', 'python', `${PYFUNC_LOADER_MODULE}.py`);

export async function onnxFlavourFiles(
  document: EnsembleDocument,
  modelJsonSha256: string,
  op: OnnxTreeOp = DEFAULT_ONNX_OP,
): Promise<ModelFile[]> {
  let loader: Buffer;
  try {
    loader = await readFile(LOADER_SOURCE);
  } catch (error) {
    throw new ModelError(
      'MODEL_INVALID',
      `the pyfunc loader ${LOADER_SOURCE} is missing from @wine/model`,
      {
        cause: error,
      },
    );
  }
  return [
    [ONNX_FILE, encodeOnnxModel(document, { op, modelJsonSha256 })],
    [`${CODE_DIR}/${PYFUNC_LOADER_MODULE}.py`, loader],
    ...pythonEnvFiles(),
  ];
}

export function byteSize(content: string | Uint8Array): number {
  return typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
}

/** Writes each file through a temp name and a rename, so a reader never sees half a file. */
export async function writeModelFiles(dir: string, files: readonly ModelFile[]): Promise<void> {
  await Promise.all(
    files.map(async ([relative, content]) => {
      const target = path.join(dir, relative);
      await mkdir(path.dirname(target), { recursive: true });
      const temp = `${target}.tmp-${process.pid}`;
      await writeFile(temp, content);
      await rename(temp, target);
    }),
  );
}

export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}
