import { Registry } from 'prom-client';
import { METRIC_NAMES, REDUNDANT_DEFAULT_GAUGES, createMetrics, methodLabel } from './metrics';

describe('createMetrics', () => {
  it('registers exactly the exported metric names (plus default process metrics)', async () => {
    const registry = new Registry();
    createMetrics(registry, { defaultMetrics: false });
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(names).toEqual(Object.values(METRIC_NAMES).sort());
  });

  it('follows Prometheus naming conventions', () => {
    for (const name of Object.values(METRIC_NAMES)) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(METRIC_NAMES.predictions).toMatch(/_total$/);
    expect(METRIC_NAMES.httpRequestDuration).toMatch(/_seconds$/);
  });

  it('adds default process metrics when asked', async () => {
    const registry = new Registry();
    createMetrics(registry);
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toContain('process_cpu_seconds_total');
    expect(names).toContain('nodejs_active_handles');
    for (const name of REDUNDANT_DEFAULT_GAUGES) expect(names).not.toContain(name);
  });

  it('collapses methods outside the standard set to "other"', () => {
    expect(['GET', 'POST', 'HEAD', 'OPTIONS'].map(methodLabel)).toEqual([
      'GET',
      'POST',
      'HEAD',
      'OPTIONS',
    ]);
    expect(['PROPFIND', 'MKCOL', 'SEARCH', 'get', undefined].map(methodLabel)).toEqual([
      'other',
      'other',
      'other',
      'other',
      'other',
    ]);
  });

  it('two registries are independent (no global state)', async () => {
    const a = createMetrics(new Registry(), { defaultMetrics: false });
    const b = createMetrics(new Registry(), { defaultMetrics: false });
    a.predictions.inc({ model_version: 'v' }, 3);
    expect((await b.predictions.get()).values).toEqual([]);
  });
});
