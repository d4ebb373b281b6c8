/**
 * House style shared by the dashboards (style anchor A6): the provisioned Prometheus
 * datasource by its fixed uid, one query factory, timeseries/stat factories, and the label
 * selectors in one place.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** provisioning/datasources/prometheus.yml provisions this uid; every panel refers to it. */
export const DATASOURCE_UID = 'wine-prometheus';
export const DATASOURCE: dashboard.DataSourceRef = { type: 'prometheus', uid: DATASOURCE_UID };

/** Jobs of prometheus/prometheus.yml. */
export const SERVICE = 'job="prediction-service"';
export const MONITOR = 'job="model-monitor"';
export const STREAM = 'job="stream-scorer"';

export function query(expr: string, legend = '__auto', refId = 'A'): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .expr(expr)
    .legendFormat(legend)
    .refId(refId)
    .range();
}

export function series(
  title: string,
  description: string,
  queries: prometheus.DataqueryBuilder[],
  unit = 'short',
): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .height(8)
    .span(12)
    .lineWidth(1)
    .fillOpacity(10);
  for (const q of queries) panel.withTarget(q);
  return panel;
}

export function single(
  title: string,
  description: string,
  q: prometheus.DataqueryBuilder,
  unit = 'short',
): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .height(4)
    .span(6)
    .withTarget(q.instant());
}

/** A query variable over label values of the datasource, multi-select with "All" = any. */
export function labelVariable(
  name: string,
  label: string,
  metric: string,
): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(`label_values(${metric}, ${name})`)
    .definition(`label_values(${metric}, ${name})`)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');
}

/** Dashboard defaults: browser time zone (never a hard-coded zone), 30 s refresh, last hour. */
export function base(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['wine-quality', 'generated'])
    .timezone('browser')
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair);
}
