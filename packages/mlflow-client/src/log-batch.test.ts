import { LOG_BATCH_LIMITS, planLogBatch, toWireMetricValue, truncateCodePoints } from './log-batch';

function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

const RUN = '0123456789abcdef0123456789abcdef';

function metrics(n: number, key = 'loss') {
  return Array.from({ length: n }, (_, i) => ({ key, value: i / 10, step: i, timestamp: 1000 }));
}

function params(n: number, value = 'v'): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, value]));
}

describe('planLogBatch', () => {
  it('sends one request when everything fits', () => {
    const plan = planLogBatch(RUN, { metrics: metrics(3), params: { a: 1 }, tags: { t: 'x' } }, 5);
    expect(plan).toHaveLength(1);
    expect(plan[0]).toEqual({
      run_id: RUN,
      params: [{ key: 'a', value: '1' }],
      tags: [{ key: 't', value: 'x' }],
      metrics: [
        { key: 'loss', value: 0, step: 0, timestamp: 1000 },
        { key: 'loss', value: 0.1, step: 1, timestamp: 1000 },
        { key: 'loss', value: 0.2, step: 2, timestamp: 1000 },
      ],
    });
  });

  it('plans nothing for an empty batch', () => {
    expect(planLogBatch(RUN, {}, 0)).toEqual([]);
  });

  it('respects every per-request count limit and keeps order', () => {
    const plan = planLogBatch(
      RUN,
      { metrics: metrics(2500), params: params(250), tags: params(130) },
      0,
    );
    for (const request of plan) {
      expect(request.metrics.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.maxMetrics);
      expect(request.params.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.maxParams);
      expect(request.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.maxTags);
      const total = request.metrics.length + request.params.length + request.tags.length;
      expect(total).toBeLessThanOrEqual(LOG_BATCH_LIMITS.maxEntities);
    }
    const steps = plan.flatMap((r) => r.metrics.map((m) => m.step));
    expect(steps).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(plan.flatMap((r) => r.params)).toHaveLength(250);
    expect(plan.flatMap((r) => r.tags)).toHaveLength(130);
    // 250 params need 3 requests, 130 tags fill 2 more partially; 2500 metrics ride along.
    expect(plan.length).toBeGreaterThanOrEqual(4);
  });

  it('keeps each body under 1 MB', () => {
    const long = 'x'.repeat(5999);
    const plan = planLogBatch(
      RUN,
      { params: params(100, long), tags: params(100, 'y'.repeat(7999)) },
      0,
    );
    expect(plan.length).toBeGreaterThan(1);
    for (const request of plan) {
      expect(Buffer.byteLength(JSON.stringify(request))).toBeLessThan(
        LOG_BATCH_LIMITS.maxBodyBytes,
      );
    }
  });

  it('counts multi-byte characters in bytes for the size limit', () => {
    const limits = { ...LOG_BATCH_LIMITS, maxBodyBytes: 200 };
    const plan = planLogBatch(RUN, { params: { a: 'é'.repeat(40), b: 'é'.repeat(40) } }, 0, limits);
    expect(plan).toHaveLength(2);
  });

  it('truncates over-long param and tag values deterministically (code points)', () => {
    const [request] = planLogBatch(
      RUN,
      { params: { p: 'a'.repeat(7000) }, tags: { t: '😀'.repeat(9000) } },
      0,
    );
    expect(request?.params[0]?.value).toHaveLength(6000);
    expect(Array.from(request?.tags[0]?.value ?? '')).toHaveLength(8000);
  });

  it('defaults timestamp to now and step to 0, and encodes non-finite values', () => {
    const [request] = planLogBatch(
      RUN,
      {
        metrics: [
          { key: 'a', value: Number.NaN },
          { key: 'b', value: -Infinity, modelId: 'm-1' },
        ],
      },
      1234,
    );
    expect(request?.metrics).toEqual([
      { key: 'a', value: 'NaN', timestamp: 1234, step: 0 },
      { key: 'b', value: '-Infinity', timestamp: 1234, step: 0, model_id: 'm-1' },
    ]);
    expect(JSON.stringify(request)).not.toContain('null');
  });

  it('refuses an entity that alone exceeds the body limit', () => {
    const limits = { ...LOG_BATCH_LIMITS, maxBodyBytes: 100 };
    expect(thrownCode(() => planLogBatch(RUN, { params: { p: 'x'.repeat(200) } }, 0, limits))).toBe(
      'MLFLOW_INVALID_ARGUMENT',
    );
  });
});

describe('helpers', () => {
  it('maps non-finite numbers to protobuf JSON strings', () => {
    expect(toWireMetricValue(Number.NaN)).toBe('NaN');
    expect(toWireMetricValue(Infinity)).toBe('Infinity');
    expect(toWireMetricValue(-Infinity)).toBe('-Infinity');
    expect(toWireMetricValue(1.5)).toBe(1.5);
  });

  it('never splits a surrogate pair', () => {
    expect(truncateCodePoints('😀😀😀', 2)).toBe('😀😀');
    expect(truncateCodePoints('abc', 5)).toBe('abc');
  });
});
