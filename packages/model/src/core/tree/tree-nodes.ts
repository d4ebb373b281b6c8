/**
 * One fitted tree as flat node arrays, in preorder (the layout scikit-learn's depth-first
 * builder produces): an internal node's left child is the next node, so `left[i] === i + 1`.
 * Leaves have feature, left and right -1 and threshold 0.
 */
export interface TreeNodes {
  readonly feature: Int32Array;
  /** Rows with x[feature] <= threshold go left. */
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Weighted mean of the training targets in the node (the prediction at a leaf). */
  readonly value: Float64Array;
  /** Weighted count of training rows in the node (bootstrap draws counted with multiplicity). */
  readonly samples: Float64Array;
  /** Weighted variance of the targets in the node (squared-error impurity). */
  readonly impurity: Float64Array;
}

export const LEAF = -1;

/** Growable storage the builder appends nodes to; `finish` trims it to TreeNodes. */
export class NodeStore {
  private size = 0;
  private feature: Int32Array = new Int32Array(64);
  private threshold: Float64Array = new Float64Array(64);
  private right: Int32Array = new Int32Array(64);
  private value: Float64Array = new Float64Array(64);
  private samples: Float64Array = new Float64Array(64);
  private impurity: Float64Array = new Float64Array(64);

  get count(): number {
    return this.size;
  }

  add(
    feature: number,
    threshold: number,
    value: number,
    samples: number,
    impurity: number,
  ): number {
    if (this.size === this.feature.length) this.grow();
    const id = this.size++;
    this.feature[id] = feature;
    this.threshold[id] = threshold;
    this.right[id] = LEAF;
    this.value[id] = value;
    this.samples[id] = samples;
    this.impurity[id] = impurity;
    return id;
  }

  setRight(parent: number, child: number): void {
    this.right[parent] = child;
  }

  finish(): TreeNodes {
    const n = this.size;
    const feature = this.feature.slice(0, n);
    const right = this.right.slice(0, n);
    const left = new Int32Array(n);
    for (let i = 0; i < n; i++) left[i] = (feature[i] as number) === LEAF ? LEAF : i + 1;
    return {
      feature,
      threshold: this.threshold.slice(0, n),
      left,
      right,
      value: this.value.slice(0, n),
      samples: this.samples.slice(0, n),
      impurity: this.impurity.slice(0, n),
    };
  }

  private grow(): void {
    const cap = this.feature.length * 2;
    const growI = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const growF = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.feature = growI(this.feature);
    this.right = growI(this.right);
    this.threshold = growF(this.threshold);
    this.value = growF(this.value);
    this.samples = growF(this.samples);
    this.impurity = growF(this.impurity);
  }
}
