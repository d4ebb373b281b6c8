/** The URL table `pnpm run stack` prints once everything is ready. */
import type { ProcessService } from './types';

/** What each port is for, in the URL table (paths from the README's table). */
const URL_HINTS: Readonly<
  Record<string, Readonly<Record<number, { path: string; what: string }>>>
> = {
  'prediction-service': {
    9696: { path: '/docs', what: 'prediction API (/predict, /invocations, /feedback, /ready)' },
    9697: { path: '/model', what: 'management: what is served, /metrics, POST /model/reload' },
  },
  mlflow: {
    5000: { path: '/', what: 'MLflow UI and registry (MLFLOW_TRACKING_USERNAME / _PASSWORD)' },
  },
  grafana: { 3000: { path: '/', what: 'Grafana (admin / GF_SECURITY_ADMIN_PASSWORD)' } },
  prometheus: { 9090: { path: '/targets', what: 'Prometheus (targets, alerts)' } },
  alertmanager: { 9093: { path: '/', what: 'Alertmanager' } },
  'pipeline-api': {
    9699: { path: '/admin/queues', what: 'bull-board (admin / ADMIN_TOKEN); /runs' },
  },
  'model-monitor': { 9698: { path: '/metrics', what: 'drift and live error metrics' } },
  'stream-scorer': { 9700: { path: '/metrics', what: 'stream scorer metrics' } },
};

export interface UrlRow {
  readonly service: string;
  readonly url: string;
  readonly what: string;
}

/** The table printed once the stack is ready. */
export function urlTable(
  services: readonly ProcessService[],
  env: (s: ProcessService) => Readonly<Record<string, string>>,
): UrlRow[] {
  return services.flatMap((s) =>
    s.ports.map((p) => {
      const hint = URL_HINTS[s.name]?.[p.containerPort];
      const shown = p.bind === '0.0.0.0' ? 'localhost' : p.bind;
      if (s.data === 'postgres') {
        return {
          service: s.name,
          url: `postgresql://${env(s)['POSTGRES_USER'] ?? 'postgres'}@127.0.0.1:${p.port}`,
          what: 'PostgreSQL (databases wine, mlflow)',
        };
      }
      if (s.data === 'redis')
        return {
          service: s.name,
          url: `redis://127.0.0.1:${p.port}`,
          what: 'Redis (BullMQ queues, streams)',
        };
      return {
        service: s.name,
        url: `http://${shown}:${p.port}${hint?.path ?? '/'}`,
        what: hint?.what ?? '',
      };
    }),
  );
}
