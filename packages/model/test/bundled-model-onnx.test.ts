/**
 * The model the service ships (prediction-service/model) carries every flavour, and its
 * model.onnx is the export of its model.json (not a stale one): same digest, same scores.
 * Regenerate with `pnpm run export-onnx prediction-service/model`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { ONNX_METADATA, encodeRecords, readModelDir } from '@wine/model';
import { decodeOnnx, evaluateOnnx } from './onnx-reference';

const bundled = path.join(__dirname, '..', '..', '..', 'prediction-service', 'model');

test('the bundled model carries the onnx and python_function flavours of its own model.json', async () => {
  const md = await readModelDir(bundled);
  const mlmodel = parse(md.mlmodel) as { flavors: Record<string, unknown> };
  expect(Object.keys(mlmodel.flavors)).toEqual([
    'wine_quality_tree_ensemble',
    'onnx',
    'python_function',
  ]);
  const onnx = await readFile(path.join(bundled, 'model.onnx'));
  const meta = new Map(decodeOnnx(onnx).model.metadataProps.map((p) => [p.key, p.value]));
  expect(meta.get(ONNX_METADATA.modelJsonSha256)).toBe(md.sha256);
  const x = encodeRecords(md.inputExample);
  expect(Array.from(evaluateOnnx(onnx, x))).toEqual(
    Array.from(md.model.predict(x), (v) => Math.fround(v)),
  );
  // Whole numbers in float form, so pandas reads float64 and the double signature accepts them.
  expect(await readFile(path.join(bundled, 'input_example.json'), 'utf8')).toMatch(/,\d+\.0,/);
});
