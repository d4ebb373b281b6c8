export {
  buildDashboards,
  dashboardJson,
  panelQueries,
  substituteMacros,
  DASHBOARDS_DIR_NAME,
} from './dashboards';
export type { PanelQuery } from './dashboards';
export { DATASOURCE_UID } from './common';
