/**
 * The export-onnx workflow: add model.onnx and the onnx + python_function flavours to model
 * directories written before they existed, and optionally prove on a dataset that float32
 * inputs branch in ONNX exactly as our float64 scorer does.
 */
import {
  ModelError,
  addOnnxFlavours,
  encodeRecords,
  float32BranchMismatches,
  readModelDir,
  type AddedFlavours,
  type BranchMismatch,
  type LabeledWineRecord,
  type OnnxTreeOp,
} from '@wine/model';

export interface ExportDeps {
  /** Loads the rows to verify against (a data directory or a CSV). */
  readonly loadRows: (source: string) => Promise<readonly LabeledWineRecord[]>;
  readonly log: (message: string) => void;
}

export interface Verification {
  readonly source: string;
  readonly rows: number;
  readonly splits: number;
  readonly mismatches: readonly BranchMismatch[];
}

export interface ExportedDir extends AddedFlavours {
  readonly verification?: Verification;
}

function formatBytes(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

async function verify(
  dir: string,
  source: string,
  rows: readonly LabeledWineRecord[],
): Promise<Verification> {
  const { document } = await readModelDir(dir);
  const splits = document.trees.reduce((n, t) => n + t.feature.filter((f) => f >= 0).length, 0);
  return {
    source,
    rows: rows.length,
    splits,
    mismatches: float32BranchMismatches(document.trees, encodeRecords(rows)),
  };
}

export async function exportOnnx(
  options: { readonly dirs: readonly string[]; readonly op: OnnxTreeOp; readonly verify?: string },
  deps: ExportDeps,
): Promise<ExportedDir[]> {
  const rows = options.verify === undefined ? undefined : await deps.loadRows(options.verify);
  const results: ExportedDir[] = [];
  for (const dir of options.dirs) {
    const added = await addOnnxFlavours(dir, { op: options.op });
    deps.log(
      `${dir}: model.onnx (${added.op}, ${formatBytes(added.onnxBytes)}) and the onnx + python_function flavours written`,
    );
    results.push(
      rows === undefined || options.verify === undefined
        ? added
        : { ...added, verification: await verify(dir, options.verify, rows) },
    );
  }
  const failed = results.filter((r) => (r.verification?.mismatches.length ?? 0) > 0);
  if (failed.length > 0) {
    throw new ModelError(
      'MODEL_ONNX_MISMATCH',
      `float32 inputs would branch differently from float64 in ${failed.map((r) => r.dir).join(', ')}: ONNX predictions can differ for the rows holding these values`,
      {
        details: failed.flatMap((r) =>
          (r.verification?.mismatches ?? []).map(
            (m) =>
              `${r.dir}: tree ${m.tree} node ${m.node}, feature ${m.feature}: value ${m.value} vs threshold ${m.threshold} (float32 ${m.float32Threshold})`,
          ),
        ),
      },
    );
  }
  return results;
}
