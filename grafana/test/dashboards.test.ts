/**
 * The committed dashboards are exactly what the TypeScript sources generate, and they hang
 * together: one fixed datasource uid everywhere, unique panel ids, every variable a query
 * uses is defined, browser time zone. That every query returns data from a real Prometheus
 * is model-monitor/test/monitoring-e2e.integ.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  DATASOURCE_UID,
  buildDashboards,
  dashboardJson,
  panelQueries,
  substituteMacros,
} from '../src/index';

const ROOT = path.resolve(__dirname, '..');
const dashboards = buildDashboards();

describe('generated dashboards', () => {
  it('the committed JSON is up to date (run `pnpm run dashboards` after editing grafana/src)', () => {
    const files = readdirSync(path.join(ROOT, 'dashboards')).sort();
    expect(files).toEqual(dashboards.map((d) => `${d.uid ?? ''}.json`).sort());
    for (const d of dashboards) {
      const committed = readFileSync(path.join(ROOT, 'dashboards', `${d.uid ?? ''}.json`), 'utf8');
      expect(committed).toBe(dashboardJson(d));
    }
  });

  it.each(dashboards.map((d) => [d.uid ?? '', d] as const))('%s: structure', (_uid, d) => {
    expect(d.timezone).toBe('browser');
    const ids = (d.panels ?? []).map((p) => p.id);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    const variables = (d.templating.list ?? []) as {
      name: string;
      datasource?: { uid?: string };
    }[];
    for (const v of variables) expect(v.datasource?.uid).toBe(DATASOURCE_UID);
    const defined = new Set(variables.map((v) => v.name));
    for (const panel of d.panels ?? []) {
      if (panel.type === 'row') continue;
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({
        panel: panel.title,
        uid: DATASOURCE_UID,
      });
      const targets =
        (panel as { targets?: { datasource?: { uid?: string }; refId?: string }[] }).targets ?? [];
      expect(targets.length).toBeGreaterThan(0);
      expect(new Set(targets.map((t) => t.refId)).size).toBe(targets.length);
      for (const t of targets) expect(t.datasource?.uid).toBe(DATASOURCE_UID);
    }
    for (const q of panelQueries(d)) {
      for (const m of q.expr.matchAll(/\$\{?([a-z_]+)\}?/g)) {
        if (!(m[1] ?? '').startsWith('_'))
          expect({
            panel: q.panel,
            variable: m[1],
            defined: defined.has(m[1] ?? ''),
          }).toMatchObject({ defined: true });
      }
    }
  });

  it('the provisioned datasource has the uid the dashboards use', () => {
    const ds = parse(
      readFileSync(path.join(ROOT, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'),
    ) as {
      datasources: { uid: string; type: string }[];
    };
    expect(ds.datasources).toEqual([
      expect.objectContaining({ uid: DATASOURCE_UID, type: 'prometheus' }),
    ]);
    const provider = parse(
      readFileSync(path.join(ROOT, 'provisioning', 'dashboards', 'wine.yml'), 'utf8'),
    ) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(provider.providers[0]?.type).toBe('file');
  });

  it('macros and variables are substituted as Grafana does with "All" selected', () => {
    expect(substituteMacros('rate(x{a=~"$route", b=~"${feature}"}[$__rate_interval])', '15s')).toBe(
      'rate(x{a=~".*", b=~".*"}[15s])',
    );
  });
});
