/**
 * The batch scorer of the packed predictor as a small WebAssembly function, emitted byte by
 * byte below (no toolchain: the opcodes are named in WASM and the module is assembled at run
 * time, once per row width). Why: the same eight-row lockstep walk in JavaScript spends most
 * of its instructions on what V8 must check at every typed-array read (map, bounds,
 * overflow) and on spilling the eight walks' state; in WebAssembly every step is ~10 plain
 * instructions (a conditional move picks the child), ~2× the rows per second of the
 * JavaScript loop on the 100-tree forest (issue 14). Predictions are bit-identical: the same
 * float64 `x <= threshold` decisions (NaN goes right), each row's leaf values summed in tree
 * order, divided by the tree count in predictPacked.
 *
 * Memory (one WebAssembly.Memory per thread, shared by every model, grown as needed):
 * - at 0, the resident model's image: node k at byte 16·k = f64 threshold (NaN at a leaf),
 *   i32 feature·8, i32 byte offset of the right child (a leaf: itself); the left child is
 *   the next node (preorder). Then the leaf values, f64, node k's at 16·n + 8·k;
 * - then a block of rows (row-major float64, copied from the caller's matrix) and its sums.
 * The image is copied in only when a different model scores than last time.
 *
 * The walk (score): LANES (ten) rows at once step down one tree until a step moves none of them
 * (a leaf's NaN threshold sends it to its right child, itself), then add their leaves'
 * values; the last rows of a block (< LANES) go one at a time. The row width is baked in as the
 * load offsets of rows 1..LANES − 1, so a module is built per width.
 */
import type { PackedTrees } from './packed';

/** Rows walked at once: 10 ran ~1.09× the forest rows/s of 8 (12: ~1.05×), same machine. */
const LANES = 10;
/** Rows per block: ~4 MiB of float64 rows. Each tree streams through a whole block, so its
 * nodes are fetched from cache once per block: 16k+ rows ran ~1.2× the rows/s of 4k. */
const BLOCK_BYTES = 4 * 1024 * 1024;
const PAGE = 65536;
/** Above this the walk stays in JavaScript (far beyond any model here). */
const MAX_MEMORY = 1024 * 1024 * 1024;

// --- the minimal binary encoder (WebAssembly core spec 1.0, section 5) ---------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    const b = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? b : b | 0x80);
  } while (v !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
/** An ASCII name as a byte vector. */
const name = (s: string): number[] =>
  vector(Array.from({ length: s.length }, (_, i) => [s.charCodeAt(i)]));

const I32 = 0x7f;
const VOID_BLOCK = 0x40;
const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f64Load: 0x2b,
  f64Store: 0x39,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32GtU: 0x4b,
  f64Le: 0x65,
  i32Add: 0x6a,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32ShrU: 0x76,
  f64Add: 0xa0,
} as const;

const get = (local: number): number[] => [OP.localGet, ...uleb(local)];
const set = (local: number): number[] => [OP.localSet, ...uleb(local)];
const tee = (local: number): number[] => [OP.localTee, ...uleb(local)];
const i32 = (value: number): number[] => [OP.i32Const, ...sleb(value)];
/** Loads and stores: alignment exponent, then the constant byte offset added to the address. */
const loadI32 = (offset: number): number[] => [OP.i32Load, 2, ...uleb(offset)];
const loadF64 = (offset: number): number[] => [OP.f64Load, 3, ...uleb(offset)];
const storeF64 = (offset: number): number[] => [OP.f64Store, 3, ...uleb(offset)];

/**
 * `score(root, x, end, sums, values)`: every row in bytes [x, end) (rowBytes each) walks the
 * tree at byte offset `root`; its leaf's value (at `values + leaf / 2`) is added to its sum
 * (f64 at `sums + 8·row`). All arguments are byte addresses in the imported memory `env.m`.
 */
export function kernelBytes(rowBytes: number): Uint8Array {
  const [ROOT, X, END, SUMS, VALUES] = [0, 1, 2, 3, 4];
  let locals = 5;
  const node = Array.from({ length: LANES }, () => locals++);
  const row = locals++;
  const sum = locals++;
  const next = locals++;
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const p of parts) code.push(...p);
  };
  /** `node = x[feature] <= threshold ? node + 16 : right`, reading row `lane` of the group. */
  const step = (lane: number, n: number): void => {
    emit(get(n), i32(16), [OP.i32Add], get(n), loadI32(12));
    emit(get(row), get(n), loadI32(8), [OP.i32Add], loadF64(lane * rowBytes));
    emit(get(n), loadF64(0), [OP.f64Le], [OP.select]);
  };
  /** `sums[lane] += values[node / 2]` */
  const addLeaf = (lane: number, n: number): void => {
    emit(get(sum), get(sum), loadF64(lane * 8));
    emit(get(VALUES), get(n), i32(1), [OP.i32ShrU], [OP.i32Add], loadF64(0));
    emit([OP.f64Add], storeF64(lane * 8));
  };

  emit(get(X), set(row), get(SUMS), set(sum));
  // Groups of LANES rows.
  emit([OP.block, VOID_BLOCK], [OP.loop, VOID_BLOCK]);
  emit(get(row), i32(LANES * rowBytes), [OP.i32Add], get(END), [OP.i32GtU], [OP.brIf, 1]);
  for (const n of node) emit(get(ROOT), set(n));
  emit([OP.loop, VOID_BLOCK]);
  // One step of every lane; loop while any of them moved (OR of old ^ new).
  node.forEach((n, lane) => {
    step(lane, n);
    emit(tee(next), get(n), [OP.i32Xor]);
    if (lane > 0) emit([OP.i32Or]);
    emit(get(next), set(n));
  });
  emit([OP.brIf, 0], [OP.end]);
  node.forEach((n, lane) => {
    addLeaf(lane, n);
  });
  emit(get(row), i32(LANES * rowBytes), [OP.i32Add], set(row));
  emit(get(sum), i32(LANES * 8), [OP.i32Add], set(sum));
  emit([OP.br, 0], [OP.end], [OP.end]);
  // The remaining rows one by one, each until its own leaf.
  const n = node[0] ?? 0;
  emit([OP.block, VOID_BLOCK], [OP.loop, VOID_BLOCK]);
  emit(get(row), get(END), [OP.i32LtU], [OP.i32Eqz], [OP.brIf, 1]);
  emit(get(ROOT), set(n));
  emit([OP.loop, VOID_BLOCK]);
  step(0, n);
  emit(tee(next), get(n), [OP.i32Xor], get(next), set(n), [OP.brIf, 0], [OP.end]);
  addLeaf(0, n);
  emit(get(row), i32(rowBytes), [OP.i32Add], set(row));
  emit(get(sum), i32(8), [OP.i32Add], set(sum));
  emit([OP.br, 0], [OP.end], [OP.end]);
  emit([OP.end]);

  const body = [...vector([[...uleb(locals - 5), I32]]), ...code];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), 0]])), // type
    ...section(2, vector([[...name('env'), ...name('m'), 0x02, 0x00, 0x00]])), // import memory
    ...section(3, vector([[0]])), // function 0 has type 0
    ...section(7, vector([[...name('score'), 0x00, 0]])), // export it
    ...section(10, vector([[...uleb(body.length), ...body]])), // code
  ]);
}

// --- the model image ---------------------------------------------------------------------

interface Image {
  readonly bytes: Uint8Array;
  /** Byte offset of each tree's root. */
  readonly roots: Int32Array;
  /** Byte offset of the leaf values. */
  readonly values: number;
  /** Largest feature index any split reads (−1: no splits). */
  readonly maxFeature: number;
}

const images = new WeakMap<PackedTrees, Image | null>();
/** Rows a model has scored in JavaScript while its image was not worth building yet. */
const rowsBeforeImage = new WeakMap<PackedTrees, number>();

/**
 * Building a model's image costs about what half its node count in tree-row walks saves
 * (~12 ns per node against ~25 ns saved per row per tree, 100-tree forest), so a model gets
 * one once the rows it has been asked to score, times its trees, reach half its nodes: a
 * model packed for one small batch (the search scores each candidate's fold once) stays in
 * JavaScript, a served or re-used model moves over after its first rows.
 */
function imageWorthBuilding(packed: PackedTrees, rows: number): boolean {
  if (images.has(packed)) return true;
  const seen = (rowsBeforeImage.get(packed) ?? 0) + rows;
  if (2 * seen * packed.roots.length >= packed.feature.length) return true;
  rowsBeforeImage.set(packed, seen);
  return false;
}

/**
 * The packed arrays in the kernel's layout, or null when the walk could not be proven to end
 * (an internal node whose right child is not after it, which the preorder validation and the
 * builder rule out) or the image is too big.
 */
function imageOf(packed: PackedTrees): Image | null {
  const cached = images.get(packed);
  if (cached !== undefined) return cached;
  const { feature, threshold, right, value } = packed;
  const total = feature.length;
  let image: Image | null = null;
  if (total * 24 <= MAX_MEMORY / 2) {
    const bytes = new Uint8Array(total * 24);
    const f64 = new Float64Array(bytes.buffer);
    const i32v = new Int32Array(bytes.buffer);
    let maxFeature = -1;
    let ok = true;
    for (let k = 0; k < total; k++) {
      const r = right[k] as number;
      const f = feature[k] as number;
      const t = threshold[k] as number;
      if (r !== k) {
        if (r <= k || r >= total || f < 0) ok = false;
        if (f > maxFeature) maxFeature = f;
      } else if (!Number.isNaN(t)) ok = false;
      f64[2 * k] = t;
      i32v[4 * k + 2] = r === k ? 0 : f * 8;
      i32v[4 * k + 3] = r * 16;
      f64[2 * total + k] = value[k] as number;
    }
    if (ok) {
      const roots = packed.roots.map((root) => root * 16);
      image = { bytes, roots, values: total * 16, maxFeature };
    }
  }
  images.set(packed, image);
  return image;
}

// --- the shared memory and one instance per row width ------------------------------------

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
type Score = (root: number, x: number, end: number, sums: number, values: number) => void;

const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let memory: WasmMemory | null = null;
let resident: Image | null = null;
const kernels = new Map<number, Score>();

function memoryOf(bytes: number): WasmMemory {
  if (api === undefined) throw new Error('WebAssembly is unavailable');
  const pages = Math.ceil(bytes / PAGE);
  if (memory === null) memory = new api.Memory({ initial: pages });
  const have = memory.buffer.byteLength / PAGE;
  if (have < pages) memory.grow(pages - have);
  return memory;
}

function kernelFor(rowBytes: number, mem: WasmMemory): Score {
  let score = kernels.get(rowBytes);
  if (score === undefined) {
    if (api === undefined) throw new Error('WebAssembly is unavailable');
    const instance = new api.Instance(new api.Module(kernelBytes(rowBytes)), { env: { m: mem } });
    score = instance.exports['score'] as Score;
    kernels.set(rowBytes, score);
  }
  return score;
}

/**
 * Adds every tree's leaf value to `out[r]` for each row of `x` (out must start at zero), in
 * tree order. Returns false (out untouched) when the kernel cannot or should not run: no
 * WebAssembly, too few rows so far to pay for the model's image, a model it cannot prove
 * safe, a split on a column x does not have, or a too-large block.
 */
export function sumTreesWasm(
  packed: PackedTrees,
  data: Float64Array,
  rows: number,
  cols: number,
  out: Float64Array,
): boolean {
  if (api === undefined || cols < 1 || !imageWorthBuilding(packed, rows)) return false;
  const image = imageOf(packed);
  if (image === null || image.maxFeature >= cols) return false;
  const rowBytes = cols * 8;
  const blockRows = Math.min(rows, Math.max(LANES, Math.floor(BLOCK_BYTES / rowBytes)));
  const xAt = image.bytes.length;
  const sumsAt = xAt + blockRows * rowBytes;
  const needed = sumsAt + blockRows * 8;
  if (needed > MAX_MEMORY) return false;
  const mem = memoryOf(needed);
  const score = kernelFor(rowBytes, mem);
  const heap = new Float64Array(mem.buffer);
  if (resident !== image) {
    new Uint8Array(mem.buffer).set(image.bytes);
    resident = image;
  }
  const { roots, values } = image;
  for (let start = 0; start < rows; start += blockRows) {
    const n = Math.min(blockRows, rows - start);
    heap.set(data.subarray(start * cols, (start + n) * cols), xAt / 8);
    heap.fill(0, sumsAt / 8, sumsAt / 8 + n);
    const end = xAt + n * rowBytes;
    for (const root of roots) score(root, xAt, end, sumsAt, values);
    out.set(heap.subarray(sumsAt / 8, sumsAt / 8 + n), start);
  }
  return true;
}
