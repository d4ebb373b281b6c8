import {
  featureImportanceSpec,
  predictedVsActualSpec,
  renderSvg,
  residualsSpec,
  trainingPlots,
} from './plots';

const actual = Float64Array.from([5, 6, 6, 7, 5, 4, 8]);
const predicted = Float64Array.from([5.2, 5.9, 6.4, 6.6, 5.1, 5.0, 7.1]);

type Layer = { data?: { values: Record<string, number>[] } };

describe('plots', () => {
  it('jitters actual quality deterministically by less than a quarter point', () => {
    const spec = predictedVsActualSpec(actual, predicted) as unknown as { layer: Layer[] };
    const points = spec.layer[0]!.data!.values;
    expect(points).toHaveLength(actual.length);
    for (const p of points) expect(Math.abs(p['jittered']! - p['actual']!)).toBeLessThan(0.25);
    expect(predictedVsActualSpec(actual, predicted)).toEqual(spec);
    // the y = x reference line spans the shared domain
    expect(spec.layer[2]!.data!.values).toEqual([{ v: 3.5 }, { v: 8.5 }]);
  });

  it('computes residuals as actual minus predicted', () => {
    const spec = residualsSpec([6], [5.25]) as unknown as { data: { values: unknown[] } };
    expect(spec.data.values).toEqual([{ predicted: 5.25, residual: 0.75 }]);
  });

  it('orders features by importance, largest first', () => {
    const spec = featureImportanceSpec({ ph: 0.1, alcohol: 0.6, density: 0.3 }) as unknown as {
      data: { values: { feature: string }[] };
    };
    expect(spec.data.values.map((r) => r.feature)).toEqual(['alcohol', 'density', 'ph']);
  });

  it('renders each plot to a standalone SVG without a browser', async () => {
    const plots = trainingPlots({
      actual,
      predicted,
      featureImportances: { alcohol: 0.6, density: 0.4 },
    });
    expect(plots.map((p) => p.file)).toEqual([
      'predicted_vs_actual.svg',
      'residuals.svg',
      'feature_importance.svg',
    ]);
    const svgs = await Promise.all(plots.map((p) => renderSvg(p.spec)));
    for (const svg of svgs) {
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
      expect(svg.trim().endsWith('</svg>')).toBe(true);
    }
    expect(svgs[0]).toContain('Predicted vs actual quality (test set)');
    // one circle per test row in the scatter
    expect(svgs[0]!.match(/<path [^>]*aria-roledescription="circle"/g)).toHaveLength(actual.length);
    expect(svgs[1]).toContain('Residuals (test set)');
    expect(svgs[2]).toContain('alcohol');
    expect(svgs[2]).toContain('0.600');
  });
});
