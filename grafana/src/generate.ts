#!/usr/bin/env node
/** `pnpm run dashboards`: writes grafana/dashboards/<uid>.json from the TypeScript sources. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARDS_DIR_NAME, buildDashboards, dashboardJson } from './dashboards';

const dir = path.resolve(__dirname, '..', DASHBOARDS_DIR_NAME);
for (const d of buildDashboards()) {
  const file = path.join(dir, `${d.uid ?? 'dashboard'}.json`);
  writeFileSync(file, dashboardJson(d));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
