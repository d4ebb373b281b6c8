/**
 * Validates the generated cloud-config with cloud-init's own schema checker (Debian package
 * `cloud-init`, 22.4 in CI: older than Ubuntu 24.04's, so only keys it knows are used).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithTool } from '../testing/real-tool';
import { decodedCustomData, onlyResource, scaledConfig, synthJson } from '../testing/fixtures';

const CLOUD_INIT = {
  envVar: 'CLOUD_INIT_BIN',
  name: 'cloud-init',
  install: 'apt-get install cloud-init; .ci/services/cloud-init.sh does this',
};

function schemaCheck(binary: string, document: string): { status: number | null; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'wine-cloud-init-')), 'user-data.yaml');
  writeFileSync(file, document);
  const result = spawnSync(binary, ['schema', '--config-file', file], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const scaled = synthJson(scaledConfig());

/** The custom_data of every machine of both profiles. */
const MACHINES: [string, () => string][] = [
  [
    'single-vm VM',
    () => decodedCustomData(onlyResource(synthJson(), 'azurerm_linux_virtual_machine')),
  ],
  [
    'scaled control VM',
    () => decodedCustomData(onlyResource(scaled, 'azurerm_linux_virtual_machine')),
  ],
  [
    'scaled prediction instances',
    () => decodedCustomData(onlyResource(scaled, 'azurerm_linux_virtual_machine_scale_set')),
  ],
];

describeWithTool('cloud-init schema', CLOUD_INIT, (binary) => {
  it.each(MACHINES)('accepts the custom_data of the %s', (_label, document) => {
    const { status, output } = schemaCheck(binary, document());
    expect(output).toContain('Valid cloud-config');
    expect(status).toBe(0);
  });

  it('really checks: a wrongly typed key fails', () => {
    const { status, output } = schemaCheck(binary, '#cloud-config\npackages: docker.io\n');
    expect(output).toMatch(/packages/);
    expect(status).not.toBe(0);
  });
});
