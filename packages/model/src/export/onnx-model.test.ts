import type { onnx } from 'onnx-proto';
import { decodeOnnx, evaluateOnnx } from '../../test/onnx-reference';
import { randomDataset } from '../../test/tree-helpers';
import { LEARNER } from '../core/ensemble-document';
import type { EnsembleDocument } from '../core/ensemble-document';
import { fitForest, fitTree } from '../core/fit';
import { MODEL_COLUMNS } from '../core/matrix';
import type { TreeEnsemble } from '../core/ensemble';
import { ONNX_METADATA, ONNX_OPS, encodeOnnxModel } from './onnx-model';

// Two decimals: many ties, and midpoints that land within float64 noise of other values.
const { x, y } = randomDataset(400, MODEL_COLUMNS.length, 7, 2);

function documentOf(model: TreeEnsemble): EnsembleDocument {
  return model.toDocument({
    training: { kind: model.kind, params: {}, learner: { ...LEARNER }, nTrain: x.rows },
  });
}

const models: Array<[string, TreeEnsemble]> = [
  ['a deep tree', fitTree(x, y, { seed: 1 })],
  ['a 20-tree forest', fitForest(x, y, { nEstimators: 20, maxFeatures: 0.5, seed: 3 })],
  ['a tree that is a single leaf', fitTree(x, y, { minSamplesSplit: 1000 })],
];

describe.each(ONNX_OPS)('ONNX export with %s', (op) => {
  it.each(models)('%s scores every row as our float64 scorer rounded to float32', (_, model) => {
    const bytes = encodeOnnxModel(documentOf(model), { op });
    const expected = model.predict(x).map((v) => Math.fround(v));
    expect(Array.from(evaluateOnnx(bytes, x))).toEqual(Array.from(expected));
  });

  it('declares the opsets, the float[N, 12] input and the float[N, 1] output', () => {
    const { model, treeOp } = decodeOnnx(encodeOnnxModel(documentOf(models[1]![1]), { op }));
    expect(treeOp).toBe(op);
    const opsets = Object.fromEntries(model.opsetImport.map((o) => [o.domain, Number(o.version)]));
    expect(opsets).toEqual(
      op === 'TreeEnsemble' ? { '': 21, 'ai.onnx.ml': 5 } : { '': 16, 'ai.onnx.ml': 3 },
    );
    expect(Number(model.irVersion)).toBe(op === 'TreeEnsemble' ? 10 : 8);
    const io = (values: onnx.IValueInfoProto[] | null | undefined) =>
      (values ?? []).map((v) => [
        v.name,
        v.type?.tensorType?.elemType,
        (v.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || Number(d.dimValue)),
      ]);
    expect(io(model.graph?.input)).toEqual([['features', 1, ['N', 12]]]);
    expect(io(model.graph?.output)).toEqual([['quality', 1, ['N', 1]]]);
  });

  it('records the column order and the wine_type encoding for loaders', () => {
    const bytes = encodeOnnxModel(documentOf(models[1]![1]), {
      op,
      modelJsonSha256: 'ab'.repeat(32),
    });
    const meta = new Map(decodeOnnx(bytes).model.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta.get(ONNX_METADATA.columns) ?? '')).toEqual(MODEL_COLUMNS);
    expect(JSON.parse(meta.get(ONNX_METADATA.wineTypeEncoding) ?? '')).toEqual({
      red: 0,
      white: 1,
    });
    expect(meta.get(ONNX_METADATA.nTrees)).toBe('20');
    expect(meta.get(ONNX_METADATA.modelJsonSha256)).toBe('ab'.repeat(32));
  });

  it('is deterministic', () => {
    const doc = documentOf(models[1]![1]);
    expect(
      Buffer.from(encodeOnnxModel(doc, { op })).equals(Buffer.from(encodeOnnxModel(doc, { op }))),
    ).toBe(true);
  });
});

it('refuses an unknown operator', () => {
  expect(() =>
    encodeOnnxModel(documentOf(models[0]![1]), { op: 'TreeEnsembleClassifier' as never }),
  ).toThrow(/unknown ONNX operator TreeEnsembleClassifier/);
});
