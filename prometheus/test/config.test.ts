import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { PROMETHEUS_DIR, describeWithTools, findTool, missingTools } from './tools';

const run = promisify(execFile);

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface TestFile {
  rule_files: string[];
  tests: {
    name: string;
    alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[];
    promql_expr_test?: { expr: string }[];
  }[];
}

function read(file: string): unknown {
  return parse(readFileSync(path.join(PROMETHEUS_DIR, file), 'utf8'));
}
const ruleFiles = readdirSync(path.join(PROMETHEUS_DIR, 'rules')).map((f) => `rules/${f}`);
const testFiles = readdirSync(path.join(PROMETHEUS_DIR, 'tests')).map((f) => `tests/${f}`);
const rules = ruleFiles.flatMap((f) => (read(f) as RuleFile).groups.flatMap((g) => g.rules));
const alerts = rules.filter((r) => r.alert !== undefined);
const records = rules.filter((r) => r.record !== undefined);
const tests = testFiles.flatMap((f) => (read(f) as TestFile).tests);

describe('rules and their unit tests (structure)', () => {
  it('prometheus.yml loads every rule file', () => {
    const config = read('prometheus.yml') as { rule_files: string[] };
    expect([...config.rule_files].sort()).toEqual([...ruleFiles].sort());
  });

  it('has the alerts the platform promises', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual(
      [
        'DatasetDrift',
        'FeatureDrift',
        'LiveRmseHigh',
        'ModelMonitorDown',
        'ModelMonitorStale',
        'ModelServingFallback',
        'PredictionDrift',
        'PredictionLogDropping',
        'PredictionServiceDown',
        'PredictionServiceErrorRatioHigh',
        'PredictionServiceLatencyHigh',
        'PipelineApiDown',
        'PipelineRunsFailing',
        'PipelineStuck',
        'StreamBacklogGrowing',
        'StreamBrokerUnreachable',
        'StreamEntriesSetAside',
        'StreamScorerDown',
      ].sort(),
    );
  });

  it('recording rules are named level:metric:operations', () => {
    for (const r of records) expect(r.record).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
  });

  it('every alert has a unit test where it fires and one where it stays quiet', () => {
    for (const { alert } of alerts) {
      const cases = tests
        .flatMap((t) => t.alert_rule_test ?? [])
        .filter((c) => c.alertname === alert);
      expect({ alert, fires: cases.some((c) => c.exp_alerts.length > 0) }).toEqual({
        alert,
        fires: true,
      });
      expect({ alert, quiet: cases.some((c) => c.exp_alerts.length === 0) }).toEqual({
        alert,
        quiet: true,
      });
    }
  });

  it('every recording rule is checked by a promql_expr_test', () => {
    const exprs = tests.flatMap((t) => t.promql_expr_test ?? []).map((e) => e.expr);
    for (const { record } of records) {
      const used = exprs.some((e) => e.includes(record ?? ''));
      expect({ record, used }).toEqual({ record, used: true });
    }
  });

  it('every alert has a severity, a summary and a description', () => {
    for (const a of alerts) {
      expect(a.labels?.['severity']).toMatch(/^(critical|warning|info)$/);
      const annotations = (a as { annotations?: Record<string, string> }).annotations ?? {};
      expect(Object.keys(annotations).sort()).toEqual(['description', 'summary']);
    }
  });

  it('the retraining webhook goes to the pipeline API with a bearer token from a file', () => {
    const am = read('alertmanager.yml') as {
      receivers: {
        name: string;
        webhook_configs?: {
          url: string;
          http_config?: { authorization?: Record<string, string> };
        }[];
      }[];
      route: { group_by: string[] };
    };
    const hook = am.receivers.find((r) => r.name === 'retraining-pipeline')?.webhook_configs?.[0];
    expect(hook?.url).toBe('http://pipeline-api:9699/hooks/alertmanager');
    expect(hook?.http_config?.authorization).toEqual({
      type: 'Bearer',
      credentials_file: '/etc/alertmanager/secrets/pipeline-webhook-token',
    });
    expect(am.route.group_by).toEqual(['alertname', 'model_name', 'model_version']);
  });
});

describeWithTools('promtool and amtool', missingTools(['promtool', 'amtool']), () => {
  const promtool = findTool('promtool') ?? 'promtool';
  const amtool = findTool('amtool') ?? 'amtool';

  it('promtool check config passes', async () => {
    const { stdout } = await run(promtool, ['check', 'config', 'prometheus.yml'], {
      cwd: PROMETHEUS_DIR,
    });
    expect(stdout).toContain('is valid prometheus config file syntax');
  });

  it('promtool test rules passes for every test file', async () => {
    const { stdout, stderr } = await run(promtool, ['test', 'rules', ...testFiles], {
      cwd: PROMETHEUS_DIR,
    });
    expect(`${stdout}${stderr}`).not.toContain('FAILED');
    expect(stdout.match(/SUCCESS/g)).toHaveLength(testFiles.length);
  });

  it('amtool check-config passes', async () => {
    const { stdout } = await run(amtool, ['check-config', 'alertmanager.yml'], {
      cwd: PROMETHEUS_DIR,
    });
    expect(stdout).toContain('SUCCESS');
  });

  it.each(alerts.map((a) => [a.alert ?? '', a.labels ?? {}] as const))(
    'alert %s is routed as its labels say',
    async (alert, labels) => {
      const args = Object.entries({ alertname: alert, ...labels }).map(([k, v]) => `${k}=${v}`);
      const { stdout } = await run(
        amtool,
        ['config', 'routes', 'test', '--config.file=alertmanager.yml', ...args],
        { cwd: PROMETHEUS_DIR },
      );
      const receivers = stdout.trim().split(',');
      if (labels['action'] === 'retrain')
        expect(receivers).toEqual(['retraining-pipeline', 'operations']);
      else if (labels['severity'] === 'info') expect(receivers).toEqual(['quiet']);
      else expect(receivers).toEqual(['operations']);
    },
  );
});
