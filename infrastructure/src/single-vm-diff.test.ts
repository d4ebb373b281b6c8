/**
 * The single-vm profile (the default) against the stack as it was before profiles and the TLS
 * edge (issue 16): the synthesized JSON may differ only where this list says, each line with
 * its reason. A later change to single-vm updates __fixtures__/single-vm-before-issue-16.json
 * (or this list) on purpose, never by accident.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthJson } from './testing/fixtures';

type Json = Record<string, unknown>;

const BASELINE = join(__dirname, '__fixtures__', 'single-vm-before-issue-16.json');

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Paths that differ: "+path" added, "-path" removed, "~path" changed. Resources and outputs
 * are compared entry by entry, and a changed resource attribute by attribute.
 */
function differences(before: Json, after: Json, depth: number, prefix = ''): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => {
    const path = `${prefix}/${key}`;
    if (!(key in after)) return [`-${path}`];
    if (!(key in before)) return [`+${path}`];
    const [a, b] = [before[key], after[key]];
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    return depth > 0 && isObject(a) && isObject(b)
      ? differences(a, b, depth - 1, path)
      : [`~${path}`];
  });
}

describe('single-vm compared with the stack before issue 16', () => {
  const before = JSON.parse(readFileSync(BASELINE, 'utf8')) as Json;
  const after = JSON.parse(JSON.stringify(synthJson())) as Json;

  it('changes only the TLS edge, the admin-UI access, and the VM bootstrap', () => {
    // depth 3: resource/<type>/<id>/<attribute>, output/<name>/<field>.
    expect(differences(before, after, 3)).toEqual([
      // Outputs: the API URL is https:// on the DNS name (TLS edge); admin UIs are reached
      // through the SSH tunnel on localhost; the profile and each machine's .env are shown.
      '~/output/alertmanager_url/description',
      '~/output/alertmanager_url/value',
      '+/output/connection_settings',
      '~/output/grafana_url/description',
      '~/output/grafana_url/value',
      '~/output/mlflow_url/description',
      '~/output/mlflow_url/value',
      '+/output/pipeline_api_url',
      '~/output/prediction_api_url/description',
      '~/output/prediction_api_url/value',
      '+/output/profile',
      '~/output/prometheus_url/description',
      '~/output/prometheus_url/value',
      '+/output/ssh_tunnel_command',
      // The Alertmanager → pipeline webhook token (issue 11): a generated Key Vault secret the
      // bootstrap writes into .env as PIPELINE_WEBHOOK_TOKEN.
      '+/resource/azurerm_key_vault_secret/secrets_pipeline-webhook-token_6A3F81BF',
      // custom_data: mandatory checksum, HTTPS-only download and Key Vault calls, MLflow
      // username, Caddy's settings (host name, limits), connection URLs, compose profiles.
      '~/resource/azurerm_linux_virtual_machine/compute_vm_43ADB128/custom_data',
      // NSG: 443 and 80 (ACME, redirect) instead of 9696; the admin UIs lose their admin-CIDR
      // rules (they bind to 127.0.0.1 and go through the SSH tunnel). SSH is unchanged.
      '-/resource/azurerm_network_security_rule/network_allow-alertmanager_DC2C8B9F',
      '-/resource/azurerm_network_security_rule/network_allow-grafana_414C8F98',
      '+/resource/azurerm_network_security_rule/network_allow-http_6C1AA799',
      '+/resource/azurerm_network_security_rule/network_allow-https_DF552F41',
      '-/resource/azurerm_network_security_rule/network_allow-mlflow_01EE5908',
      '-/resource/azurerm_network_security_rule/network_allow-prediction-api_89D6604B',
      '-/resource/azurerm_network_security_rule/network_allow-prometheus_588B5510',
      '+/resource/random_password/secrets_pipeline-webhook-token-value_24EA31F5',
    ]);
  });

  it('keeps every other resource byte for byte, so an apply touches nothing else', () => {
    const resources = (json: Json) => json['resource'] as Record<string, Json>;
    for (const [type, entries] of Object.entries(resources(before))) {
      if (type === 'azurerm_network_security_rule') continue;
      for (const [id, resource] of Object.entries(entries)) {
        const now = resources(after)[type]?.[id] as Json | undefined;
        if (type === 'azurerm_linux_virtual_machine') {
          expect({ ...now, custom_data: '' }).toEqual({ ...(resource as Json), custom_data: '' });
        } else {
          expect(now).toEqual(resource);
        }
      }
    }
  });
});
