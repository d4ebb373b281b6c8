/**
 * A small reference evaluator of the model.onnx files we write, reading them back through
 * the ONNX protobuf definitions: decodes the graph, walks the tree operator as its spec says
 * (float32 input cast to double, `x <= split` goes to the true branch, AVERAGE over trees)
 * and rounds the output to float32. It lets the unit tests check the encoding without
 * Python; the integration tests run the real onnxruntime.
 */
import { onnx } from 'onnx-proto';
import type { Matrix } from '../src/core/matrix';

interface PlainAttribute {
  name: string;
  i?: number;
  s?: Uint8Array;
  ints?: number[];
  strings?: Uint8Array[];
  t?: { doubleData?: number[]; int32Data?: number[] };
}

export interface DecodedOnnx {
  readonly model: ReturnType<typeof onnx.ModelProto.decode>;
  readonly treeOp: string;
  readonly attributes: ReadonlyMap<string, PlainAttribute>;
}

export function decodeOnnx(bytes: Uint8Array): DecodedOnnx {
  const model = onnx.ModelProto.decode(bytes);
  const plain = onnx.ModelProto.toObject(model, { longs: Number }) as {
    graph: { node: Array<{ opType: string; attribute?: PlainAttribute[] }> };
  };
  const tree = plain.graph.node.find((n) => n.opType.startsWith('TreeEnsemble'));
  if (!tree) throw new Error('no tree ensemble node in the graph');
  return {
    model,
    treeOp: tree.opType,
    attributes: new Map((tree.attribute ?? []).map((a) => [a.name, a])),
  };
}

function ints(d: DecodedOnnx, name: string): number[] {
  const value = d.attributes.get(name)?.ints;
  if (!value) throw new Error(`attribute ${name} missing`);
  return value;
}

function doubles(d: DecodedOnnx, name: string): number[] {
  const value = d.attributes.get(name)?.t?.doubleData;
  if (!value) throw new Error(`tensor attribute ${name} missing`);
  return value;
}

/** Sum over trees of the leaf each row reaches, for the TreeEnsembleRegressor encoding. */
function regressorSums(d: DecodedOnnx, x: Matrix): { sums: Float64Array; nTrees: number } {
  const treeIds = ints(d, 'nodes_treeids');
  const nodeIds = ints(d, 'nodes_nodeids');
  const features = ints(d, 'nodes_featureids');
  const values = doubles(d, 'nodes_values_as_tensor');
  const modes = (d.attributes.get('nodes_modes')?.strings ?? []).map((b) =>
    Buffer.from(b).toString('utf8'),
  );
  const trueIds = ints(d, 'nodes_truenodeids');
  const falseIds = ints(d, 'nodes_falsenodeids');
  const weightOf = new Map<string, number>();
  const targetTrees = ints(d, 'target_treeids');
  const targetNodes = ints(d, 'target_nodeids');
  const weights = doubles(d, 'target_weights_as_tensor');
  targetTrees.forEach((t, k) => weightOf.set(`${t}/${targetNodes[k]}`, weights[k] as number));
  const index = new Map<string, number>();
  treeIds.forEach((t, k) => index.set(`${t}/${nodeIds[k]}`, k));
  const nTrees = new Set(treeIds).size;
  const sums = new Float64Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    for (let t = 0; t < nTrees; t++) {
      let node = 0;
      for (;;) {
        const k = index.get(`${t}/${node}`) as number;
        if (modes[k] === 'LEAF') break;
        if (modes[k] !== 'BRANCH_LEQ') throw new Error(`unexpected mode ${modes[k]}`);
        const v = Math.fround(x.data[r * x.cols + (features[k] as number)] as number);
        node = v <= (values[k] as number) ? (trueIds[k] as number) : (falseIds[k] as number);
      }
      sums[r] = (sums[r] as number) + (weightOf.get(`${t}/${node}`) as number);
    }
  }
  return { sums, nTrees };
}

/** The same for the TreeEnsemble (ai.onnx.ml 5) encoding. */
function treeEnsembleSums(d: DecodedOnnx, x: Matrix): { sums: Float64Array; nTrees: number } {
  const roots = ints(d, 'tree_roots');
  const features = ints(d, 'nodes_featureids');
  const splits = doubles(d, 'nodes_splits');
  const trueIds = ints(d, 'nodes_truenodeids');
  const trueLeafs = ints(d, 'nodes_trueleafs');
  const falseIds = ints(d, 'nodes_falsenodeids');
  const falseLeafs = ints(d, 'nodes_falseleafs');
  const weights = doubles(d, 'leaf_weights');
  const sums = new Float64Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    for (const root of roots) {
      let node = root;
      let leaf = -1;
      while (leaf < 0) {
        const v = Math.fround(x.data[r * x.cols + (features[node] as number)] as number);
        const goTrue = v <= (splits[node] as number);
        const next = goTrue ? (trueIds[node] as number) : (falseIds[node] as number);
        const isLeaf = goTrue ? trueLeafs[node] : falseLeafs[node];
        if (isLeaf === 1) leaf = next;
        else node = next;
      }
      sums[r] = (sums[r] as number) + (weights[leaf] as number);
    }
  }
  return { sums, nTrees: roots.length };
}

/** What an ONNX runtime returns for `x` (one float32 per row), per the operators' specs. */
export function evaluateOnnx(bytes: Uint8Array, x: Matrix): Float64Array {
  const decoded = decodeOnnx(bytes);
  const { sums, nTrees } =
    decoded.treeOp === 'TreeEnsembleRegressor'
      ? regressorSums(decoded, x)
      : treeEnsembleSums(decoded, x);
  return sums.map((s) => Math.fround(s / nTrees));
}
