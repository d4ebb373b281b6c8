/**
 * The three plots a person opens in the MLflow UI after a search: predicted vs actual and
 * residuals on the test set, and feature importance. Specs are plain Vega-Lite (pure,
 * unit-tested); rendering goes through Vega's headless SVG renderer — no browser, no canvas.
 *
 * Pinned to vega 5 / vega-lite 5: they ship CommonJS builds, which our CJS output and jest's
 * CJS runtime can load. vega 6 / vega-lite 6 are ESM-only (jest cannot require them).
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface Plot {
  /** Artifact file name, e.g. predicted_vs_actual.svg. */
  readonly file: string;
  readonly spec: TopLevelSpec;
}

const WIDTH = 420;
const HEIGHT = 320;
const POINT_COLOR = '#4c78a8';
const LINE_COLOR = '#e45756';

/** Deterministic jitter (golden-ratio sequence) so identical integer qualities do not overprint. */
function jitter(i: number, amplitude: number): number {
  const frac = (i * 0.6180339887498949) % 1;
  return (frac - 0.5) * 2 * amplitude;
}

function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Test-set scatter of prediction against true quality, with the y = x line and per-score means. */
export function predictedVsActualSpec(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  title = 'Predicted vs actual quality (test set)',
): TopLevelSpec {
  const points = Array.from({ length: actual.length }, (_, i) => ({
    actual: actual[i] as number,
    jittered: round((actual[i] as number) + jitter(i, 0.18)),
    predicted: round(predicted[i] as number),
  }));
  const values = points.flatMap((p) => [p.actual, p.predicted]);
  const lo = Math.floor(Math.min(...values));
  const hi = Math.ceil(Math.max(...values));
  const domain = [lo - 0.5, hi + 0.5];
  const axis = { values: Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: points },
        mark: { type: 'circle', size: 14, opacity: 0.35, color: POINT_COLOR },
        encoding: {
          x: {
            field: 'jittered',
            type: 'quantitative',
            title: 'actual quality',
            scale: { domain },
            axis,
          },
          y: {
            field: 'predicted',
            type: 'quantitative',
            title: 'predicted quality',
            scale: { domain },
            axis,
          },
        },
      },
      {
        data: { values: points },
        mark: { type: 'line', point: true, color: '#f58518' },
        encoding: {
          x: { field: 'actual', type: 'quantitative' },
          y: { aggregate: 'mean', field: 'predicted', type: 'quantitative' },
        },
      },
      {
        data: { values: [{ v: domain[0] }, { v: domain[1] }] },
        mark: { type: 'line', strokeDash: [4, 4], color: LINE_COLOR },
        encoding: {
          x: { field: 'v', type: 'quantitative' },
          y: { field: 'v', type: 'quantitative' },
        },
      },
    ],
  };
}

/** Residual (actual − predicted) against prediction, next to the residual histogram. */
export function residualsSpec(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  title = 'Residuals (test set)',
): TopLevelSpec {
  const rows = Array.from({ length: actual.length }, (_, i) => ({
    predicted: round(predicted[i] as number),
    residual: round((actual[i] as number) - (predicted[i] as number)),
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values: rows },
    hconcat: [
      {
        width: WIDTH * 0.75,
        height: HEIGHT * 0.85,
        layer: [
          {
            mark: { type: 'circle', size: 14, opacity: 0.35, color: POINT_COLOR },
            encoding: {
              x: { field: 'predicted', type: 'quantitative', scale: { zero: false } },
              y: { field: 'residual', type: 'quantitative', title: 'actual − predicted' },
            },
          },
          {
            mark: { type: 'rule', strokeDash: [4, 4], color: LINE_COLOR },
            encoding: { y: { datum: 0 } },
          },
        ],
      },
      {
        width: WIDTH * 0.5,
        height: HEIGHT * 0.85,
        mark: { type: 'bar', color: POINT_COLOR },
        encoding: {
          x: {
            field: 'residual',
            type: 'quantitative',
            bin: { maxbins: 30 },
            title: 'residual',
          },
          y: { aggregate: 'count', type: 'quantitative', title: 'rows' },
        },
      },
    ],
  };
}

/** Horizontal bars, most important feature on top. */
export function featureImportanceSpec(
  importances: Readonly<Record<string, number>>,
  title = 'Feature importance (impurity decrease)',
): TopLevelSpec {
  const rows = Object.entries(importances)
    .map(([feature, importance]) => ({ feature, importance: round(importance) }))
    .sort((a, b) => b.importance - a.importance);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: WIDTH,
    height: { step: 22 },
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar', color: POINT_COLOR },
        encoding: {
          y: { field: 'feature', type: 'nominal', sort: null, title: null },
          x: { field: 'importance', type: 'quantitative', title: 'share of impurity decrease' },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 },
        encoding: {
          y: { field: 'feature', type: 'nominal', sort: null },
          x: { field: 'importance', type: 'quantitative' },
          text: { field: 'importance', type: 'quantitative', format: '.3f' },
        },
      },
    ],
  };
}

export interface PlotInput {
  readonly actual: ArrayLike<number>;
  readonly predicted: ArrayLike<number>;
  readonly featureImportances: Readonly<Record<string, number>>;
}

export function trainingPlots(input: PlotInput): Plot[] {
  return [
    { file: 'predicted_vs_actual.svg', spec: predictedVsActualSpec(input.actual, input.predicted) },
    { file: 'residuals.svg', spec: residualsSpec(input.actual, input.predicted) },
    { file: 'feature_importance.svg', spec: featureImportanceSpec(input.featureImportances) },
  ];
}

/** Vega-Lite → Vega → SVG text, headless (renderer 'none': no DOM, text width estimated). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  view.background('white');
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
