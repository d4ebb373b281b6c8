/**
 * Validates the generated cloud-config with cloud-init's own schema checker (Debian package
 * `cloud-init`, 22.4 in CI: older than Ubuntu 24.04's, so only keys it knows are used).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithTool } from '../testing/real-tool';
import { onlyResource, synthJson, testConfig } from '../testing/fixtures';

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

function customData(overrides: Record<string, unknown> = {}): string {
  const vm = onlyResource(synthJson(testConfig(overrides)), 'azurerm_linux_virtual_machine');
  return Buffer.from(String(vm['custom_data']), 'base64').toString('utf8');
}

describeWithTool('cloud-init schema', CLOUD_INIT, (binary) => {
  it.each([
    ['with a release checksum', {}],
    [
      'without a release checksum',
      { release: { version: '0.1.0', url: 'https://example.com/r.tgz' } },
    ],
  ])('accepts the custom_data the VM gets (%s)', (_label, overrides) => {
    const { status, output } = schemaCheck(binary, customData(overrides));
    expect(output).toContain('Valid cloud-config');
    expect(status).toBe(0);
  });

  it('really checks: a wrongly typed key fails', () => {
    const { status, output } = schemaCheck(binary, '#cloud-config\npackages: docker.io\n');
    expect(output).toMatch(/packages/);
    expect(status).not.toBe(0);
  });
});
