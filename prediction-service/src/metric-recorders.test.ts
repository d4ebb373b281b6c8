import { Counter, Histogram, Registry } from 'prom-client';
import { counterRecorder, histogramRecorder } from './metric-recorders';

/** The same metrics on two registries: one fed through prom-client, one through recorders. */
function pair() {
  const make = (registry: Registry) => ({
    registry,
    histogram: new Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['route', 'status'],
      buckets: [0.001, 0.01, 0.1, 1],
      registers: [registry],
    }),
    counter: new Counter({
      name: 'c_total',
      help: 'c',
      labelNames: ['v'],
      registers: [registry],
    }),
  });
  return { plain: make(new Registry()), fast: make(new Registry()) };
}

describe('metric recorders', () => {
  it('expose exactly what prom-client observe/inc would', async () => {
    const { plain, fast } = pair();
    const values = [0, 0.0005, 0.001, 0.005, 0.01, 0.5, 1, 3, 1e9, 0.1];
    const a = { route: '/predict', status: 200 };
    const b = { route: '/predict', status: 422 };
    // One label set observed before its recorder exists: the recorder must add to it.
    plain.histogram.observe(a, 0.2);
    fast.histogram.observe(a, 0.2);
    const recordA = histogramRecorder(fast.histogram, a);
    const recordB = histogramRecorder(fast.histogram, b);
    const count = counterRecorder(fast.counter, { v: '1' });
    for (const v of values) {
      plain.histogram.observe(a, v);
      recordA(v);
      plain.histogram.observe(b, v * 2);
      recordB(v * 2);
      plain.counter.inc({ v: '1' }, 3);
      count(3);
    }
    expect(await fast.registry.metrics()).toBe(await plain.registry.metrics());
  });

  it('refuses non-finite values as prom-client does', () => {
    const { fast } = pair();
    const record = histogramRecorder(fast.histogram, { route: '/x', status: 200 });
    expect(() => {
      record(Number.NaN);
    }).toThrow(/not a valid number/);
    const count = counterRecorder(fast.counter, { v: 'x' });
    expect(() => {
      count(Number.POSITIVE_INFINITY);
    }).toThrow(/not a valid number/);
  });
});
