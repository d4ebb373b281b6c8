/**
 * The simulation loop: replays wines to a target at a mean rate with Poisson gaps (open
 * loop: a slow service does not slow the schedule, up to `concurrency` requests in flight),
 * and sends the true quality of a seeded share of the answered requests as feedback after a
 * delay. Transport-agnostic (targets.ts); e2e tests call it directly.
 */
import { createRng } from '@wine/model';
import type { RowSource } from './row-source';
import { percentile, poissonGapMs } from './schedule';
import type { SendResult, SimulationTarget } from './targets';

export interface SimulationOptions {
  /** Mean requests per second. */
  readonly rate: number;
  /** Stop after this many requests (and/or after durationS). */
  readonly requests?: number;
  readonly durationS?: number;
  /** Requests in flight at most; the schedule waits beyond that. */
  readonly concurrency: number;
  /** Share of answered requests whose true quality is sent as feedback. */
  readonly feedbackFraction: number;
  readonly feedbackDelayMs: number;
  readonly seed: number;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, ms);
    }),
};

export interface SimulationProgress {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly feedbackOk: number;
  readonly elapsedS: number;
}

export interface SimulationDeps {
  readonly target: SimulationTarget;
  readonly rows: RowSource;
  readonly clock?: Clock;
  readonly onProgress?: (progress: SimulationProgress) => void;
  /** Aborting stops sending; in-flight requests finish, pending feedback is cancelled. */
  readonly signal?: AbortSignal;
}

interface Tally {
  ok: number;
  failed: number;
  errors: Record<string, number>;
}

export interface SimulationSummary {
  readonly target: string;
  readonly seconds: number;
  readonly rate: { readonly target: number | null; readonly achieved: number };
  readonly requests: {
    readonly sent: number;
    readonly ok: number;
    readonly failed: number;
    readonly errors: Readonly<Record<string, number>>;
  };
  readonly feedback: {
    readonly selected: number;
    readonly sent: number;
    readonly ok: number;
    readonly failed: number;
    readonly cancelled: number;
    readonly errors: Readonly<Record<string, number>>;
  };
  readonly latency_ms: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
    readonly mean: number;
  };
  readonly stopped: 'done' | 'aborted';
}

function count(tally: Tally, result: SendResult): void {
  if (result.ok) {
    tally.ok++;
    return;
  }
  tally.failed++;
  const key = result.error ?? `http_${result.status}`;
  tally.errors[key] = (tally.errors[key] ?? 0) + 1;
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

export async function runSimulation(
  options: SimulationOptions,
  deps: SimulationDeps,
): Promise<SimulationSummary> {
  if (options.requests === undefined && options.durationS === undefined) {
    throw new RangeError('give a number of requests or a duration');
  }
  const clock = deps.clock ?? realClock;
  const { target } = deps;
  const rng = createRng(options.seed + 1);
  await target.preflight();

  const requests: Tally = { ok: 0, failed: 0, errors: {} };
  const feedback: Tally = { ok: 0, failed: 0, errors: {} };
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const pendingFeedback = new Set<Promise<void>>();
  let selected = 0;
  let cancelled = 0;
  let sent = 0;
  const start = clock.now();
  let due = start;
  let lastSend = start;
  const report = (): void =>
    deps.onProgress?.({
      sent,
      ok: requests.ok,
      failed: requests.failed,
      feedbackOk: feedback.ok,
      elapsedS: (clock.now() - start) / 1000,
    });
  const expired = (): boolean =>
    options.durationS !== undefined && clock.now() - start >= options.durationS * 1000;

  const giveFeedback = (requestId: string, quality: number): void => {
    const task = clock
      .sleep(options.feedbackDelayMs)
      .then(async () => {
        if (deps.signal?.aborted) {
          cancelled++;
          return;
        }
        count(
          feedback,
          await (target.feedback as NonNullable<SimulationTarget['feedback']>)(requestId, quality),
        );
      })
      .finally(() => pendingFeedback.delete(task));
    pendingFeedback.add(task);
  };

  for (;;) {
    if (options.requests !== undefined && sent >= options.requests) break;
    if (expired() || deps.signal?.aborted) break;
    if (target.realtime) {
      due += poissonGapMs(options.rate, rng);
      const wait = due - clock.now();
      if (wait > 0) await clock.sleep(wait);
      if (expired() || deps.signal?.aborted) break;
    }
    while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    const row = deps.rows.next();
    // Chosen at send time from the seeded generator: the same run labels the same rows.
    const wantsFeedback = target.feedback !== undefined && rng.next() < options.feedbackFraction;
    sent++;
    lastSend = clock.now();
    const sentAt = lastSend;
    const task = target
      .send(row)
      .then((result) => {
        latencies.push(clock.now() - sentAt);
        count(requests, result);
        if (result.ok && wantsFeedback && result.requestId !== undefined) {
          selected++;
          giveFeedback(result.requestId, row.quality);
        }
        report();
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  await Promise.all(pendingFeedback);
  await target.close();
  report();

  const sorted = Float64Array.from(latencies).sort();
  const sendingS = (lastSend - start) / 1000;
  return {
    target: target.description,
    seconds: round((clock.now() - start) / 1000),
    rate: {
      target: target.realtime ? options.rate : null,
      achieved: round(sendingS > 0 ? (sent - 1) / sendingS : sent, 1),
    },
    requests: { sent, ok: requests.ok, failed: requests.failed, errors: requests.errors },
    feedback: {
      selected,
      sent: feedback.ok + feedback.failed,
      ok: feedback.ok,
      failed: feedback.failed,
      cancelled,
      errors: feedback.errors,
    },
    latency_ms: {
      p50: round(percentile(sorted, 0.5)),
      p90: round(percentile(sorted, 0.9)),
      p99: round(percentile(sorted, 0.99)),
      max: round(sorted.length > 0 ? (sorted[sorted.length - 1] as number) : 0),
      mean: round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)),
    },
    stopped: deps.signal?.aborted ? 'aborted' : 'done',
  };
}

export function renderSimulation(summary: SimulationSummary, drift: string): string {
  const errors = (e: Readonly<Record<string, number>>): string =>
    Object.keys(e).length === 0
      ? ''
      : ` (${Object.entries(e)
          .map(([k, v]) => `${k} ×${v}`)
          .join(', ')})`;
  const { requests: r, feedback: f, latency_ms: l } = summary;
  return [
    `Simulated traffic to ${summary.target}${summary.stopped === 'aborted' ? ' (stopped early)' : ''}`,
    `  drift injected:  ${drift}`,
    `  requests:        ${r.sent} sent, ${r.ok} ok, ${r.failed} failed${errors(r.errors)}`,
    `  rate:            ${summary.rate.achieved} req/s achieved` +
      (summary.rate.target === null ? '' : ` (target ${summary.rate.target})`),
    `  latency:         p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms`,
    `  feedback:        ${f.sent} sent, ${f.ok} ok, ${f.failed} failed${errors(f.errors)}` +
      (f.cancelled > 0 ? `, ${f.cancelled} cancelled` : ''),
    `  duration:        ${summary.seconds} s`,
  ].join('\n');
}
