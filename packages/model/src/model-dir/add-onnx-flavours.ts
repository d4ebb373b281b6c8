/**
 * `pnpm run export-onnx <dir>`: brings a model directory written before the ONNX export
 * existed up to date, in place.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { ModelError } from '../errors';
import { mlflowFlavours } from '../export/mlflow-flavours';
import { DEFAULT_ONNX_OP, type OnnxTreeOp } from '../export/onnx-model';
import { inputExampleFiles } from './input-example';
import { MLMODEL_FILE } from './mlmodel';
import { readModelDir } from './model-dir';
import { byteSize, onnxFlavourFiles, writeModelFiles } from './onnx-flavours';

const mlmodelShape = z.looseObject({ flavors: z.record(z.string(), z.unknown()) });

/** Total size of the directory's files except MLmodel (what MLflow records as model_size_bytes). */
async function contentBytes(dir: string): Promise<number> {
  const root = path.resolve(dir);
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(
    entries
      .filter((e) => e.isFile() && !(e.parentPath === root && e.name === MLMODEL_FILE))
      .map(async (e) => (await stat(path.join(e.parentPath, e.name))).size),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

export interface AddedFlavours {
  readonly dir: string;
  readonly op: OnnxTreeOp;
  readonly files: readonly string[];
  readonly onnxBytes: number;
}

/**
 * Adds (or refreshes) model.onnx and the onnx + python_function flavours of an existing model
 * directory, and rewrites its input examples in the float form MLflow's signature check needs.
 * Every other file and MLmodel key (run_id, signature, …) is kept; model.json is only read. MLmodel is rewritten last, so an interrupted run leaves a loadable directory.
 */
export async function addOnnxFlavours(
  dir: string,
  options: { readonly op?: OnnxTreeOp } = {},
): Promise<AddedFlavours> {
  const op = options.op ?? DEFAULT_ONNX_OP;
  const md = await readModelDir(dir);
  const parsed = mlmodelShape.safeParse(parse(md.mlmodel));
  if (!parsed.success) {
    throw new ModelError('MODEL_INVALID', `${path.join(dir, MLMODEL_FILE)} has no flavors mapping`);
  }
  const files = [
    ...(await onnxFlavourFiles(md.document, md.sha256, op)),
    // Rewritten in float form (11.0): older directories wrote `11`, which MLflow's pyfunc refuses.
    ...inputExampleFiles(md.inputExample),
  ];
  await writeModelFiles(dir, files);
  const mlmodel = {
    ...parsed.data,
    flavors: { ...parsed.data.flavors, ...mlflowFlavours(op) },
    model_size_bytes: await contentBytes(dir),
  };
  await writeModelFiles(dir, [[MLMODEL_FILE, stringify(mlmodel, { lineWidth: 0 })]]);
  return {
    dir,
    op,
    files: [...files.map(([name]) => name), MLMODEL_FILE],
    onnxBytes: byteSize(files[0]?.[1] ?? ''),
  };
}
