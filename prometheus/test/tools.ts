/**
 * The Prometheus and Alertmanager binaries from the distribution's packages (installed by
 * .ci/services/prometheus.sh), and the skip-or-fail rule of the real-service tests.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describeWithServices } from '../../packages/mlflow-client/test/real-services';

export const PROMETHEUS_DIR = path.resolve(__dirname, '..');

/** Debian names the Alertmanager binary prometheus-alertmanager. */
export const TOOLS = {
  prometheus: ['prometheus'],
  promtool: ['promtool'],
  alertmanager: ['prometheus-alertmanager', 'alertmanager'],
  amtool: ['amtool'],
} as const;

export type Tool = keyof typeof TOOLS;

export function findTool(tool: Tool): string | undefined {
  for (const name of TOOLS[tool]) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // not this name
    }
  }
  return undefined;
}

export function missingTools(tools: readonly Tool[]): string[] {
  return tools.filter((t) => findTool(t) === undefined).map((t) => `${t} not found`);
}

/** Registers `body` when the tools exist; skips loudly, or fails under REQUIRE_REAL_SERVICES=1. */
export function describeWithTools(
  title: string,
  missing: readonly string[],
  body: () => void,
): void {
  describeWithServices(
    title,
    missing,
    body,
    'install the packages prometheus and prometheus-alertmanager (.ci/services/prometheus.sh)',
  );
}
