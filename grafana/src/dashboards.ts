/** Every dashboard, built: the single list the generator and the tests use. */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { modelDashboard } from './model-dashboard';
import { serviceDashboard } from './service-dashboard';
import { streamDashboard } from './stream-dashboard';

export const DASHBOARDS_DIR_NAME = 'dashboards';

/** Stable panel ids (1, 2, … in layout order) so links like ?viewPanel=3 survive regeneration. */
function numberPanels(d: dashboard.Dashboard): dashboard.Dashboard {
  (d.panels ?? []).forEach((panel, i) => {
    panel.id = i + 1;
  });
  return d;
}

export function buildDashboards(): dashboard.Dashboard[] {
  return [serviceDashboard().build(), modelDashboard().build(), streamDashboard().build()].map(
    numberPanels,
  );
}

/** The committed file's text: stable key order from the builders, two-space JSON, newline. */
export function dashboardJson(d: dashboard.Dashboard): string {
  return JSON.stringify(d, null, 2) + '\n';
}

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
}

/** Every PromQL expression of a dashboard, with where it comes from. */
export function panelQueries(d: dashboard.Dashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const panel of d.panels ?? []) {
    const targets = (panel as { targets?: { expr?: string; refId?: string }[] }).targets ?? [];
    for (const t of targets) {
      if (t.expr !== undefined) {
        out.push({
          dashboard: d.uid ?? '',
          panel: panel.title ?? '',
          refId: t.refId ?? '',
          expr: t.expr,
        });
      }
    }
  }
  return out;
}

/**
 * The expression as Grafana would send it with every variable at "All": `$__rate_interval`
 * becomes `rateInterval`, `$var` / `${var}` the variable's allValue (`.*`).
 */
export function substituteMacros(expr: string, rateInterval: string): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, rateInterval)
    .replace(/\$__interval|\$\{__interval\}/g, rateInterval)
    .replace(/\$\{?([a-z_]+)\}?/g, '.*');
}
