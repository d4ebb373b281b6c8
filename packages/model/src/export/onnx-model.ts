/**
 * ONNX export of a tree ensemble (one tree or a forest), encoded with the official ONNX
 * protobuf definitions (onnx-proto: onnx.proto compiled by protobufjs).
 *
 * Graph: `features` float[N, 12] (MODEL_COLUMNS order, wine_type red = 0, white = 1)
 *   → Cast to double → tree ensemble (mean of the trees) → `quality` float[N, 1].
 * The trees run in double so the mean of 100 leaf values is not summed in float32 (which
 * drifts by up to ~2e-6); the output is our float64 prediction rounded once to float32.
 * Comparisons still see the float32 input, so thresholds go through float32Threshold.
 *
 * Two operator encodings:
 * - `TreeEnsembleRegressor` (ai.onnx.ml 3, IR 8, ONNX ≥ 1.11; the default): the operator every
 *   ONNX runtime with the ML domain implements (onnxruntime since 1.11 for the double form).
 * - `TreeEnsemble` (ai.onnx.ml 5, IR 10, ONNX ≥ 1.16, onnxruntime ≥ 1.21): the successor that
 *   deprecates the former; about half the file size (leaves are not listed as nodes).
 */
import { onnx } from 'onnx-proto';
import type { EnsembleDocument, TreeDocument } from '../core/ensemble-document';
import { MODEL_COLUMNS, WINE_TYPE_CODE } from '../core/matrix';
import { LEAF } from '../core/tree/tree-nodes';
import { ModelError } from '../errors';
import { float32Threshold } from './float32-threshold';

export const ONNX_OPS = ['TreeEnsembleRegressor', 'TreeEnsemble'] as const;
export type OnnxTreeOp = (typeof ONNX_OPS)[number];
export const DEFAULT_ONNX_OP: OnnxTreeOp = 'TreeEnsembleRegressor';

export const ONNX_INPUT = 'features';
export const ONNX_OUTPUT = 'quality';
/** metadata_props keys the Python loader reads to encode a DataFrame. */
export const ONNX_METADATA = Object.freeze({
  columns: 'wine_quality.input_columns',
  wineTypeEncoding: 'wine_quality.wine_type_encoding',
  kind: 'wine_quality.kind',
  nTrees: 'wine_quality.n_trees',
  modelJsonSha256: 'wine_quality.model_json_sha256',
});

export interface OnnxExportOptions {
  readonly op?: OnnxTreeOp;
  /** sha256 of the model.json the ONNX file was made from (recorded in metadata_props). */
  readonly modelJsonSha256?: string;
}

const ML_DOMAIN = 'ai.onnx.ml';
const OPSETS: Record<OnnxTreeOp, { ir: number; onnx: number; ml: number }> = {
  TreeEnsembleRegressor: { ir: 8, onnx: 16, ml: 3 },
  TreeEnsemble: { ir: 10, onnx: 21, ml: 5 },
};

const { AttributeType } = onnx.AttributeProto;
const { DataType } = onnx.TensorProto;
type Attribute = onnx.IAttributeProto;

const text = (value: string): Uint8Array => Buffer.from(value, 'utf8');
const intAttr = (name: string, i: number): Attribute => ({ name, type: AttributeType.INT, i });
const intsAttr = (name: string, ints: number[]): Attribute => ({
  name,
  type: AttributeType.INTS,
  ints,
});
const stringAttr = (name: string, s: string): Attribute => ({
  name,
  type: AttributeType.STRING,
  s: text(s),
});
const doubleTensorAttr = (name: string, values: number[]): Attribute => ({
  name,
  type: AttributeType.TENSOR,
  t: { dims: [values.length], dataType: DataType.DOUBLE, doubleData: values },
});

function castNode(input: string, output: string, to: onnx.TensorProto.DataType): onnx.INodeProto {
  return {
    name: `cast_${output}`,
    opType: 'Cast',
    input: [input],
    output: [output],
    attribute: [intAttr('to', to)],
  };
}

function tensorInfo(name: string, width: number, doc: string): onnx.IValueInfoProto {
  return {
    name,
    docString: doc,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] },
      },
    },
  };
}

/** TreeEnsembleRegressor (ai.onnx.ml 3): every node listed, leaves as `LEAF` nodes with targets. */
function regressorNode(trees: readonly TreeDocument[], input: string): onnx.INodeProto {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const values: number[] = [];
  const modes: Uint8Array[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const targetTree: number[] = [];
  const targetNode: number[] = [];
  const weights: number[] = [];
  const leafMode = text('LEAF');
  const branchMode = text('BRANCH_LEQ');
  trees.forEach((tree, t) => {
    tree.feature.forEach((feature, i) => {
      treeIds.push(t);
      nodeIds.push(i);
      if (feature === LEAF) {
        featureIds.push(0);
        values.push(0);
        modes.push(leafMode);
        trueIds.push(0);
        falseIds.push(0);
        targetTree.push(t);
        targetNode.push(i);
        weights.push(tree.value[i] as number);
      } else {
        featureIds.push(feature);
        values.push(float32Threshold(tree.threshold[i] as number));
        modes.push(branchMode);
        trueIds.push(i + 1); // preorder: the left child follows its parent
        falseIds.push(tree.right[i] as number);
      }
    });
  });
  return {
    name: 'trees',
    opType: 'TreeEnsembleRegressor',
    domain: ML_DOMAIN,
    input: [input],
    output: [ONNX_OUTPUT],
    attribute: [
      stringAttr('aggregate_function', 'AVERAGE'),
      intAttr('n_targets', 1),
      intsAttr('nodes_treeids', treeIds),
      intsAttr('nodes_nodeids', nodeIds),
      intsAttr('nodes_featureids', featureIds),
      { name: 'nodes_modes', type: AttributeType.STRINGS, strings: modes },
      doubleTensorAttr('nodes_values_as_tensor', values),
      intsAttr('nodes_truenodeids', trueIds),
      intsAttr('nodes_falsenodeids', falseIds),
      stringAttr('post_transform', 'NONE'),
      intsAttr('target_treeids', targetTree),
      intsAttr('target_nodeids', targetNode),
      intsAttr('target_ids', new Array<number>(targetTree.length).fill(0)),
      doubleTensorAttr('target_weights_as_tensor', weights),
    ],
  };
}

/**
 * TreeEnsemble (ai.onnx.ml 5): `nodes_*` hold interior nodes only, `leaf_*` the leaves; a
 * branch says whether each child is a node or a leaf. A tree that is a single leaf becomes
 * one split whose both branches reach that leaf (the encoding the operator's spec gives).
 */
function treeEnsembleNode(trees: readonly TreeDocument[], input: string): onnx.INodeProto {
  const roots: number[] = [];
  const featureIds: number[] = [];
  const splits: number[] = [];
  const trueIds: number[] = [];
  const trueLeafs: number[] = [];
  const falseIds: number[] = [];
  const falseLeafs: number[] = [];
  const leafWeights: number[] = [];
  for (const tree of trees) {
    // Position of each node in nodes_* (interior) or leaf_* (leaf), assigned in preorder.
    const position = new Int32Array(tree.feature.length);
    let interior = featureIds.length;
    let leaves = leafWeights.length;
    tree.feature.forEach((feature, i) => {
      position[i] = feature === LEAF ? leaves++ : interior++;
    });
    const child = (node: number): [number, number] => [
      position[node] as number,
      tree.feature[node] === LEAF ? 1 : 0,
    ];
    roots.push(featureIds.length);
    if (tree.feature[0] === LEAF) {
      featureIds.push(0);
      splits.push(0);
      trueIds.push(position[0] as number);
      trueLeafs.push(1);
      falseIds.push(position[0] as number);
      falseLeafs.push(1);
    }
    tree.feature.forEach((feature, i) => {
      if (feature === LEAF) {
        leafWeights.push(tree.value[i] as number);
        return;
      }
      const [left, leftIsLeaf] = child(i + 1);
      const [right, rightIsLeaf] = child(tree.right[i] as number);
      featureIds.push(feature);
      splits.push(float32Threshold(tree.threshold[i] as number));
      trueIds.push(left);
      trueLeafs.push(leftIsLeaf);
      falseIds.push(right);
      falseLeafs.push(rightIsLeaf);
    });
  }
  return {
    name: 'trees',
    opType: 'TreeEnsemble',
    domain: ML_DOMAIN,
    input: [input],
    output: [`${ONNX_OUTPUT}_f64`],
    attribute: [
      intAttr('aggregate_function', 0), // AVERAGE
      intAttr('n_targets', 1),
      intAttr('post_transform', 0), // NONE
      intsAttr('tree_roots', roots),
      intsAttr('nodes_featureids', featureIds),
      doubleTensorAttr('nodes_splits', splits),
      {
        name: 'nodes_modes',
        type: AttributeType.TENSOR,
        // uint8 tensors are stored in int32_data (onnx.proto); 0 = BRANCH_LEQ.
        t: {
          dims: [featureIds.length],
          dataType: DataType.UINT8,
          int32Data: new Array<number>(featureIds.length).fill(0),
        },
      },
      intsAttr('nodes_truenodeids', trueIds),
      intsAttr('nodes_trueleafs', trueLeafs),
      intsAttr('nodes_falsenodeids', falseIds),
      intsAttr('nodes_falseleafs', falseLeafs),
      intsAttr('leaf_targetids', new Array<number>(leafWeights.length).fill(0)),
      doubleTensorAttr('leaf_weights', leafWeights),
    ],
  };
}

/** The ONNX ModelProto of a model document (plain object; see encodeOnnxModel for bytes). */
export function onnxModelProto(
  document: EnsembleDocument,
  options: OnnxExportOptions = {},
): onnx.IModelProto {
  const op = options.op ?? DEFAULT_ONNX_OP;
  if (!(ONNX_OPS as readonly string[]).includes(op)) {
    throw new ModelError(
      'PARAMS_INVALID',
      `unknown ONNX operator ${op}: use ${ONNX_OPS.join(' or ')}`,
    );
  }
  const versions = OPSETS[op];
  const inputDouble = `${ONNX_INPUT}_f64`;
  const nodes =
    op === 'TreeEnsembleRegressor'
      ? [
          castNode(ONNX_INPUT, inputDouble, DataType.DOUBLE),
          regressorNode(document.trees, inputDouble),
        ]
      : [
          castNode(ONNX_INPUT, inputDouble, DataType.DOUBLE),
          treeEnsembleNode(document.trees, inputDouble),
          castNode(`${ONNX_OUTPUT}_f64`, ONNX_OUTPUT, DataType.FLOAT),
        ];
  const nTrees = document.trees.length;
  const encoding = JSON.stringify(WINE_TYPE_CODE);
  const metadata: Record<string, string> = {
    [ONNX_METADATA.columns]: JSON.stringify(MODEL_COLUMNS),
    [ONNX_METADATA.wineTypeEncoding]: encoding,
    [ONNX_METADATA.kind]: document.training.kind,
    [ONNX_METADATA.nTrees]: String(nTrees),
    ...(options.modelJsonSha256 === undefined
      ? {}
      : { [ONNX_METADATA.modelJsonSha256]: options.modelJsonSha256 }),
  };
  return {
    irVersion: versions.ir,
    opsetImport: [
      { domain: '', version: versions.onnx },
      { domain: ML_DOMAIN, version: versions.ml },
    ],
    producerName: document.training.learner.name,
    producerVersion: document.training.learner.version,
    modelVersion: document.formatVersion,
    docString:
      `Wine quality (0-10): the mean of ${nTrees} regression tree${nTrees === 1 ? '' : 's'}. ` +
      `Input: float[N, 12] in the order ${MODEL_COLUMNS.join(', ')}; wine_type encoded ${encoding}.`,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'wine_quality',
      node: nodes,
      input: [
        tensorInfo(
          ONNX_INPUT,
          MODEL_COLUMNS.length,
          `${MODEL_COLUMNS.join(', ')}; wine_type ${encoding}`,
        ),
      ],
      output: [tensorInfo(ONNX_OUTPUT, 1, 'predicted quality')],
    },
  };
}

/** model.onnx bytes; the same document and options always give the same bytes. */
export function encodeOnnxModel(
  document: EnsembleDocument,
  options: OnnxExportOptions = {},
): Uint8Array {
  return onnx.ModelProto.encode(onnxModelProto(document, options)).finish();
}
